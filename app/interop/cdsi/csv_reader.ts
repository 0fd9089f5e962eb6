/**
 * A CSV reader for RFC 4180 files: fields separated by commas, records by
 * CRLF or LF, quoted fields that may hold commas, line breaks and doubled
 * quotes. The first record names the columns.
 * @see https://www.rfc-editor.org/rfc/rfc4180
 */

/** A CSV file that cannot be read, with the line where it went wrong. */
export class CsvError extends Error {
  readonly code = 'E_CSV'
  readonly status = 400
}

/** The records of a CSV text as arrays of fields. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let quoteLine = 1
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const endField = () => {
    record.push(field)
    field = ''
  }
  const endRecord = () => {
    endField()
    records.push(record)
    record = []
  }
  while (index < text.length) {
    const char = text[index]
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"'
        index += 2
        continue
      }
      if (char === '"') {
        quoted = false
        const next = text[index + 1]
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError(`line ${line}: a closing quote must end the field`)
        }
      } else {
        line += char === '\n' ? 1 : 0
        field += char
      }
      index++
      continue
    }
    if (char === '"' && field === '') {
      quoted = true
      quoteLine = line
    } else if (char === ',') {
      endField()
    } else if (char === '\n' || char === '\r') {
      endRecord()
      line++
      if (char === '\r' && text[index + 1] === '\n') {
        index++
      }
    } else {
      field += char
    }
    index++
  }
  if (quoted) {
    throw new CsvError(`line ${quoteLine}: a quoted field is not closed`)
  }
  if (field !== '' || record.length > 0) {
    endRecord()
  }
  return records
}

/** The records after the header as objects keyed by column name. */
export function readCsvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text)
  if (!header || header.length === 0) {
    throw new CsvError('the file has no header line')
  }
  return rows
    .filter((row) => !(row.length === 1 && row[0] === ''))
    .map((row, index) => {
      if (row.length !== header.length) {
        throw new CsvError(
          `record ${index + 1} has ${row.length} fields, the header ${header.length}`
        )
      }
      return Object.fromEntries(header.map((name, column) => [name, row[column]]))
    })
}
