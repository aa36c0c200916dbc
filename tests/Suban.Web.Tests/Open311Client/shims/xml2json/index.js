'use strict';
// Behaves as xml2json@0.2.4's toJson (lib/xml2json.js, on node-expat events), which open311@0.0.12 uses for the
// POST requests answer only:
//  - every element starts as an object of its attributes ({} when it has none);
//  - a name that repeats under one parent turns into an array;
//  - text is trimmed and kept under "$t"; an element whose only key is "$t" collapses to that string
//    (unless options.reversible), so <x>1</x> is "1" (no type parsing) and an empty <x/> stays {}.
// node-expat is replaced by @xmldom/xmldom; malformed XML throws, as the original did.
const { DOMParser } = require('@xmldom/xmldom');

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

function parseDocument(xml) {
  const parser = new DOMParser({
    onError(level, message) {
      if (level !== 'warning') {
        throw new Error('There are errors in your xml file: ' + message);
      }
    },
  });
  const document = parser.parseFromString(Buffer.isBuffer(xml) ? xml.toString('utf8') : String(xml), 'text/xml');
  if (!document || !document.documentElement) {
    throw new Error('There are errors in your xml file: no root element');
  }
  return document;
}

function walk(element, parent, options) {
  const name = element.nodeName;
  const attrs = {};
  for (let i = 0; i < element.attributes.length; i++) {
    const attribute = element.attributes[i];
    attrs[attribute.name] = attribute.value;
  }

  // startElement
  if (!(name in parent)) {
    parent[name] = attrs;
  } else if (!(parent[name] instanceof Array)) {
    parent[name] = [parent[name], attrs];
  } else {
    parent[name].push(attrs);
  }

  const current = attrs;
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT) {
      walk(node, current, options);
    } else if (node.nodeType === TEXT || node.nodeType === CDATA) {
      const data = node.data.trim();
      if (data.length) {
        current.$t = (current.$t || '') + data;
      }
    }
  }

  // endElement
  if (!options.reversible && Object.keys(current).length === 1 && '$t' in current) {
    if (parent[name] instanceof Array) {
      parent[name].push(parent[name].pop().$t);
    } else {
      parent[name] = current.$t;
    }
  }
}

exports.toJson = function toJson(xml, _options) {
  const options = { object: false, reversible: false };
  for (const opt in _options) {
    options[opt] = _options[opt];
  }
  const obj = {};
  walk(parseDocument(xml).documentElement, obj, options);
  return options.object ? obj : JSON.stringify(obj);
};

exports.toXml = function toXml() {
  throw new Error('xml2json stand-in: toXml is not provided (open311 does not use it).');
};
