import { defineConfig } from '@adonisjs/core/bodyparser'

/**
 * FHIR bodies (`application/fhir+json`) are kept as raw text: the FHIR layer
 * parses them itself so that decimals keep their precision (`1.30` stays
 * `1.30`). The limits answer 413 before anything is parsed.
 */
const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    trimWhitespaces: true,
    limit: '1mb',
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: false,
    trimWhitespaces: false,
    limit: '8mb',
    types: ['application/json', 'application/json-patch+json', 'application/csp-report'],
  },
  raw: {
    limit: '8mb',
    types: ['application/fhir+json', 'text/plain'],
  },
  multipart: {
    autoProcess: true,
    convertEmptyStringsToNull: true,
    trimWhitespaces: true,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
