'use strict';
// Behaves as sparkxml.js of codeforamerica/node-sparkxml (the version open311@0.0.12 was written against):
// the "Spark" convention (http://wiki.open311.org/JSON_and_XML_Conversion#The_Spark_Convention).
//  - an element with no child elements is its text: null when it has no child nodes at all (<x/>, <x></x>),
//    otherwise its text, parsed into a number or a boolean when parseTypes is not false;
//  - an element with exactly one child element is an array of that child;
//  - an element with several children is an object by child name, switched to an array (of the values so far,
//    then every further child) as soon as a name repeats.
// libxmljs is replaced by @xmldom/xmldom; malformed XML throws, as libxmljs.parseXml did.
const { DOMParser } = require('@xmldom/xmldom');

const ELEMENT = 1;

function parseDocument(xmlString) {
  const parser = new DOMParser({
    onError(level, message) {
      if (level !== 'warning') {
        throw new Error('Invalid XML: ' + message);
      }
    },
  });
  const document = parser.parseFromString(String(xmlString), 'text/xml');
  if (!document || !document.documentElement) {
    throw new Error('Invalid XML: no root element');
  }
  return document;
}

function childElements(element) {
  const children = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT) {
      children.push(node);
    }
  }
  return children;
}

function parseValue(value) {
  const numberValue = Number(value);
  if (!isNaN(numberValue)) {
    return numberValue;
  }
  const lowerValue = value.toLowerCase();
  if (lowerValue === 'true') {
    return true;
  }
  if (lowerValue === 'false') {
    return false;
  }
  return value;
}

function convertElementToObject(element, parseTypes) {
  parseTypes = parseTypes === false ? false : true;
  const children = childElements(element);
  if (children.length === 0) {
    const value = element.childNodes.length === 0 ? null : element.textContent;
    return parseTypes && value != null && value !== '' ? parseValue(value) : value;
  }

  let elementIsList = children.length === 1;
  let result = elementIsList ? [] : {};
  children.forEach((child) => {
    const childName = child.nodeName;
    if (!elementIsList && Object.prototype.hasOwnProperty.call(result, childName)) {
      elementIsList = true;
      result = Object.keys(result).map((key) => result[key]);
    }
    const childObject = convertElementToObject(child, parseTypes);
    if (elementIsList) {
      result.push(childObject);
    } else {
      result[childName] = childObject;
    }
  });
  return result;
}

exports.parseXml = function parseXml(xmlString, parseTypes) {
  return convertElementToObject(parseDocument(xmlString).documentElement, parseTypes);
};
