#!/usr/bin/env node
'use strict';
// Drives the third-party npm package `open311` (codeforamerica/node-open311) against a running Suban server:
// lists services, posts a request, reads it back, and prints one line of JSON.
//
//   node client.js BASE_URL API_KEY FORMAT        (FORMAT: json | xml)
//
// BASE_URL is the server root (e.g. http://127.0.0.1:5080); /open311/v2/ is added unless it is already there.
// Environment: SERVICE_CODE (default: the first service listed), JURISDICTION_ID (default: shenzhen),
// PHONE (optional, sent as phone), TIMEOUT_MS (default 60000).
// Exit 0 with the JSON line on stdout; on any error the error goes to stderr and the exit code is 1.

// request@2.11 (the package's HTTP client) still calls new Buffer(); keep its deprecation warning off stderr.
process.noDeprecation = true;

const Open311 = require('open311');

let finished = false;

function fail(error) {
  if (finished) {
    return;
  }
  finished = true;
  const text = error && error.stack ? error.stack : String(error);
  process.stderr.write('open311 client failed: ' + text + '\n', () => process.exit(1));
}

// The package throws from inside its HTTP callbacks (e.g. res.statusCode when the connection is refused, or
// JSON.parse of an unexpected body); those surface here.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

function succeed(line) {
  if (finished) {
    return;
  }
  finished = true;
  // Exit explicitly: Node's global agent keeps sockets alive, which would hold the process open.
  process.stdout.write(JSON.stringify(line) + '\n', () => process.exit(0));
}

function usage(message) {
  fail(new Error(message + '\nusage: node client.js BASE_URL API_KEY FORMAT   (FORMAT: json | xml)'));
}

function endpointFor(baseUrl) {
  const trimmed = baseUrl.replace(/\/+$/, '');
  // The package builds every URL as endpoint + path + '.' + format, so the endpoint needs its trailing slash.
  return (/\/open311\/v2$/.test(trimmed) ? trimmed : trimmed + '/open311/v2') + '/';
}

// The package's callbacks are (err, data); err is true, an HTTP status or a status code, data then a message.
function call(client, method, ...args) {
  return new Promise((resolve, reject) => {
    client[method](...args, (err, data) => {
      if (err) {
        const detail = typeof data === 'string' ? data : JSON.stringify(data);
        reject(new Error(`${method} failed (${err}): ${detail}`));
      } else {
        resolve(data);
      }
    });
  });
}

// A value the package parsed: Spark-parsed XML may give numbers, xml2json gives {} for an empty element.
function text(value) {
  if (value === null || value === undefined || typeof value === 'object') {
    return undefined;
  }
  return String(value);
}

function first(list, what) {
  const item = Array.isArray(list) ? list[0] : list;
  if (!item || typeof item !== 'object') {
    throw new Error(`${what}: unexpected answer ${JSON.stringify(list)}`);
  }
  return item;
}

async function main() {
  const [baseUrl, apiKey, formatArg] = process.argv.slice(2);
  if (!baseUrl || !apiKey || !formatArg) {
    return usage('missing arguments');
  }
  const format = formatArg.toLowerCase();
  if (format !== 'json' && format !== 'xml') {
    return usage(`FORMAT must be json or xml, not '${formatArg}'`);
  }
  if (!/^https?:\/\//.test(baseUrl)) {
    return usage(`BASE_URL must be an http(s) URL, not '${baseUrl}'`);
  }

  const timeoutMs = Number(process.env.TIMEOUT_MS || 60000);
  setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);

  const jurisdiction = process.env.JURISDICTION_ID || 'shenzhen';
  // The package's own options: endpoint (with trailing slash), format ('json' | 'xml': the URL suffix and the
  // parser), jurisdiction (sent as jurisdiction_id in the query string of every GET and POST) and apiKey (sent
  // as the api_key form field of submitRequest only).
  const client = new Open311({ endpoint: endpointFor(baseUrl), format, jurisdiction, apiKey });

  // 1) services.{format}
  const services = await call(client, 'serviceList');
  if (!Array.isArray(services)) {
    throw new Error(`serviceList: expected a list, got ${JSON.stringify(services)}`);
  }

  // 2) the service to post to
  const serviceCode = process.env.SERVICE_CODE || text(services.length > 0 ? services[0].service_code : undefined);
  if (!serviceCode) {
    throw new Error('serviceList returned no service, and SERVICE_CODE is not set');
  }
  const service = services.find((s) => text(s.service_code) === serviceCode);

  // A service with metadata asks questions (services/{code}.{format}); answer the request type when it is asked,
  // and stop on any other required question rather than post a request the server must refuse.
  const attributes = {};
  if (service && service.metadata === true) {
    const definition = await call(client, 'serviceDefinition', serviceCode);
    const asked = Array.isArray(definition && definition.attributes) ? definition.attributes : [];
    for (const attribute of asked) {
      const code = text(attribute.code);
      const values = Array.isArray(attribute.values) ? attribute.values.map((v) => text(v.key)) : [];
      if (code === 'request_type' && values.includes('complaint')) {
        attributes[code] = 'complaint';
      } else if (attribute.variable === true && attribute.required === true) {
        throw new Error(`service ${serviceCode} requires attribute[${code}], which this harness does not answer`);
      }
    }
  }

  // 3) POST requests.{format}
  const request = {
    service_code: serviceCode,
    // The package puts jurisdiction_id in the query string; the specification has it in the form, so send both.
    jurisdiction_id: jurisdiction,
    lat: 22.5431,
    long: 114.0579,
    description: '小区门口路灯不亮，晚上很黑',
  };
  if (process.env.PHONE) {
    request.phone = process.env.PHONE;
  }
  if (Object.keys(attributes).length > 0) {
    request.attributes = attributes; // the package sends these as attribute[code]=value
  }
  const posted = first(await call(client, 'submitRequest', request), 'submitRequest');

  // 4) the service_request_id, through tokens/{token}.{format} if only a token came back
  let postedId = text(posted.service_request_id);
  if (!postedId && text(posted.token)) {
    const exchanged = first(await call(client, 'token', text(posted.token)), 'token');
    postedId = text(exchanged.service_request_id);
  }
  if (!postedId) {
    throw new Error(`submitRequest returned neither service_request_id nor token: ${JSON.stringify(posted)}`);
  }

  // requests/{id}.{format}; the api_key lets the server show the sending app its own request in full
  const read = first(await call(client, 'serviceRequests', postedId, { api_key: apiKey }), 'serviceRequests');
  const readBack = {
    service_request_id: text(read.service_request_id),
    status: text(read.status),
    service_code: text(read.service_code),
  };
  if (text(read.description) !== undefined) {
    readBack.description = text(read.description);
  }
  if (readBack.service_request_id !== postedId) {
    throw new Error(`read back ${JSON.stringify(readBack.service_request_id)} instead of ${postedId}`);
  }

  succeed({ format, services: services.length, serviceCode, postedId, readBack });
}

main().catch(fail);
