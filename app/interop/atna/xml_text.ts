/**
 * Characters XML 1.0 cannot carry at all, not even as character references: C0 controls
 * other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
 * @see https://www.w3.org/TR/xml/#charsets
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}

/**
 * An attribute value, quoted for `"…"`. Tab, LF and CR are written as character references
 * because attribute-value normalisation would turn them into spaces; characters XML cannot
 * carry become U+FFFD rather than making the audit message unreadable.
 * @see https://www.w3.org/TR/xml/#AVNormalize
 */
export function escapeAttribute(value: string): string {
  return value
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c])
}

/**
 * Character data. CR is written as a reference so that end-of-line handling does not turn
 * CRLF into LF on the way back.
 * @see https://www.w3.org/TR/xml/#sec-line-ends
 */
export function escapeText(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>\r]/g, (c) => ATTRIBUTE_ESCAPES[c])
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Decodes the five predefined entities and character references in one pass, so that
 * `&amp;#10;` stays the text `&#10;`. Audit messages declare no entities of their own.
 * @see https://www.w3.org/TR/xml/#sec-references
 */
export function decodeReferences(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, decodeReference)
}

function decodeReference(reference: string): string {
  const body = reference.slice(1, -1)
  if (!body.startsWith('#')) {
    return PREDEFINED[body]
  }
  const codePoint = body.startsWith('#x')
    ? Number.parseInt(body.slice(2), 16)
    : Number.parseInt(body.slice(1), 10)
  const char = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\uFFFD'
  return char.replace(NOT_XML_CHAR, '\uFFFD')
}

/**
 * Why a document is refused before parsing, or null: a DTD (audit messages have none,
 * and entity declarations are the way to blow up a parser), references to entities XML
 * does not predefine, or characters XML does not allow.
 */
export function unsafeXmlReason(xml: string): string | null {
  if (/<!DOCTYPE/i.test(xml)) {
    return 'a document type declaration is not allowed in an audit message'
  }
  const stray = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[^\s;]{0,20};?/.exec(xml)
  if (stray) {
    return `"${stray[0]}" is not a predefined entity or character reference`
  }
  NOT_XML_CHAR.lastIndex = 0
  if (NOT_XML_CHAR.test(xml)) {
    return 'the document holds a character XML does not allow'
  }
  return null
}
