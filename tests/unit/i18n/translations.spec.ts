import { readdir, readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { IntlMessageFormat } from 'intl-messageformat'

/**
 * The translations follow English (the source, complete): no key English lacks, and every message parses as
 * ICU MessageFormat with the arguments English passes. The areas listed as complete miss no key.
 */
const TRANSLATED_LOCALES = ['fr', 'pt'] as const
const COMPLETE_AREAS = [
  'common',
  'clinic',
  'sync',
  'setup',
  'validator',
  'errors',
  'admin',
  'authoring',
]

type Messages = Map<string, string>

/* The parser's element shapes, only as far as this walk needs them. */
type Element = {
  type: number
  value?: string
  options?: Record<string, { value: Element[] }>
}
const LITERAL = 0
const POUND = 7

async function readMessages(locale: string, file: string): Promise<Messages> {
  const text = await readFile(app.languageFilesPath(locale, file), 'utf8')
  const messages: Messages = new Map()
  const walk = (node: unknown, prefix: string) => {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (typeof value === 'string') messages.set(prefix + key, value)
      else if (value && typeof value === 'object') walk(value, `${prefix}${key}.`)
      else messages.set(prefix + key, String(value))
    }
  }
  walk(JSON.parse(text), '')
  return messages
}

async function areaFiles(): Promise<string[]> {
  const files = await readdir(app.languageFilesPath('en'))
  return files.filter((file) => file.endsWith('.json')).sort()
}

/**
 * The arguments a message uses, and the exact-value branches (`=0`) of its plurals: a translation must
 * pass the same values to the page and keep the special cases English makes.
 */
function shape(message: string, locale: string): Set<string> {
  const found = new Set<string>()
  const walk = (elements: Element[]) => {
    for (const element of elements) {
      if (element.type === LITERAL || element.type === POUND) continue
      found.add(element.value!)
      for (const [selector, option] of Object.entries(element.options ?? {})) {
        if (selector.startsWith('=')) found.add(`${element.value} ${selector}`)
        walk(option.value)
      }
    }
  }
  /* Parsed as the i18n formatter of AdonisJS parses it: `<...>` is text there, not a tag. */
  walk(new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst() as Element[])
  return found
}

function parseError(message: string, locale: string): string | undefined {
  try {
    shape(message, locale)
  } catch (error) {
    return (error as Error).message
  }
}

test.group('Translations of the pages', () => {
  test('French and Portuguese have no key that English lacks', async ({ assert }) => {
    for (const file of await areaFiles()) {
      const english = await readMessages('en', file)
      for (const locale of TRANSLATED_LOCALES) {
        const translated = await readMessages(locale, file)
        const extra = [...translated.keys()].filter((key) => !english.has(key))
        assert.deepEqual(extra, [], `${locale}/${file} has keys that en/${file} lacks`)
      }
    }
  })

  test('the completed areas are fully translated', async ({ assert }) => {
    for (const area of COMPLETE_AREAS) {
      const english = await readMessages('en', `${area}.json`)
      for (const locale of TRANSLATED_LOCALES) {
        const translated = await readMessages(locale, `${area}.json`)
        const missing = [...english.keys()].filter((key) => !translated.has(key))
        assert.deepEqual(missing, [], `${locale}/${area}.json misses keys of en/${area}.json`)
      }
    }
  })

  test('every message parses as ICU and uses the arguments English uses', async ({ assert }) => {
    const problems: string[] = []
    for (const file of await areaFiles()) {
      const english = await readMessages('en', file)
      for (const [key, message] of english) {
        const error = parseError(message, 'en')
        if (error) problems.push(`en/${file} ${key}: ${error}`)
      }
      for (const locale of TRANSLATED_LOCALES) {
        for (const [key, message] of await readMessages(locale, file)) {
          const error = parseError(message, locale)
          if (error) {
            problems.push(`${locale}/${file} ${key}: ${error}`)
            continue
          }
          const source = english.get(key)
          if (source === undefined || parseError(source, 'en')) continue
          const expected = [...shape(source, 'en')].sort()
          const actual = [...shape(message, locale)].sort()
          if (expected.join('|') !== actual.join('|')) {
            problems.push(`${locale}/${file} ${key}: uses [${actual}], English uses [${expected}]`)
          }
        }
      }
    }
    assert.deepEqual(problems, [])
  })

  test('a broken translation is caught', ({ assert }) => {
    assert.isDefined(parseError('{count, plural, one {# dose} other {# doses}', 'fr'))
    /* A straight apostrophe before a brace quotes it: the argument silently becomes text. */
    assert.deepEqual([...shape("Saisissez l'{field}.", 'fr')], [])
    assert.deepEqual([...shape('Saisissez l’{field}.', 'fr')], ['field'])
    assert.notDeepEqual(
      [...shape('Saisissez le {champ}.', 'fr')],
      [...shape('Enter the {field}.', 'en')]
    )
    assert.notDeepEqual(
      [...shape('{count, plural, one {# patient} other {# patients}}', 'fr')].sort(),
      [...shape('{count, plural, =0 {No patient} one {# patient} other {# patients}}', 'en')].sort()
    )
  })
})
