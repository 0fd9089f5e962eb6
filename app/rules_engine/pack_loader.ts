import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { checkPack, type PackVocabulary } from '#rules_engine/pack_checks'
import { RulePackError } from '#rules_engine/pack_errors'
import {
  DEFAULT_MAX_PACK_BYTES,
  DEFAULT_MAX_PACK_DEPTH,
  parsePackJson,
} from '#rules_engine/pack_json'
import { compileRulePackSchema, type PackSchemaCheck } from '#rules_engine/pack_schema'
import { packKey, type RulePack } from '#rules_engine/pack_types'

export * from '#rules_engine/pack_types'

/**
 * json-rules-engine's own operators, always available.
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/rules.md#operators
 */
export const BUILT_IN_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const

/**
 * json-rules-engine's operator decorators ("someFact:equal", "not:in").
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/engine.md#operator-decorators
 */
export const BUILT_IN_DECORATORS = [
  'someFact',
  'someValue',
  'everyFact',
  'everyValue',
  'swap',
  'not',
] as const

export interface PackLoaderOptions {
  /** Ids of the fact providers the platform registers. */
  facts: ReadonlySet<string> | readonly string[]
  /** Custom operators the platform adds to the built-in ones. */
  operators?: ReadonlySet<string> | readonly string[]
  /** Custom operator decorators added to the built-in ones. */
  decorators?: ReadonlySet<string> | readonly string[]
  /** Largest pack text accepted, in UTF-8 bytes (default 2 MB). */
  maxBytes?: number
  /** Deepest nesting of objects and arrays accepted (default 32). */
  maxDepth?: number
}

/** A pack read from disk, with the file it came from. */
export interface LoadedPack {
  source: string
  pack: RulePack
}

/** What a directory held: the packs that loaded and one error per file that did not. */
export interface DirectoryLoad {
  packs: LoadedPack[]
  failures: RulePackError[]
}

/**
 * Turns rule pack JSON into a checked `RulePack`, or a RulePackError listing every problem
 * with its JSON Pointer: size, depth, JSON syntax, the schema
 * (rules/schema/rule-pack.schema.json), then what the schema cannot say (pack_checks.ts).
 * Framework-free: the ace commands, the authoring API and the OTA installer share it.
 * @see https://json-schema.org/draft/2020-12/json-schema-validation
 * @see https://github.com/CacheControl/json-rules-engine/blob/master/docs/rules.md
 */
export class PackLoader {
  readonly maxBytes: number
  readonly maxDepth: number
  readonly #vocabulary: PackVocabulary
  readonly #schema: PackSchemaCheck

  constructor(options: PackLoaderOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_PACK_BYTES
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_PACK_DEPTH
    this.#vocabulary = {
      facts: new Set(options.facts),
      operators: new Set([...BUILT_IN_OPERATORS, ...(options.operators ?? [])]),
      decorators: new Set([...BUILT_IN_DECORATORS, ...(options.decorators ?? [])]),
    }
    this.#schema = compileRulePackSchema()
  }

  /** Parses and checks pack text; `source` (a file name, an upload) is quoted in errors. */
  load(text: string, source?: string): RulePack {
    try {
      return this.validate(parsePackJson(text, this), source)
    } catch (error) {
      throw error instanceof RulePackError && source && !error.source
        ? error.withSource(source)
        : error
    }
  }

  /**
   * Checks an already parsed document (an API body). Its depth is not checked here: parse
   * it with a depth limit first.
   */
  validate(document: unknown, source?: string): RulePack {
    const schemaProblems = this.#schema(document)
    if (schemaProblems.length > 0) {
      throw new RulePackError(schemaProblems, source)
    }
    const pack = document as RulePack
    const problems = checkPack(pack, this.#vocabulary)
    if (problems.length > 0) {
      throw new RulePackError(problems, source)
    }
    return pack
  }

  /** Reads and checks one pack file; a file over the size limit is refused unread. */
  async loadFile(path: string): Promise<RulePack> {
    let text: string
    try {
      const { size } = await stat(path)
      if (size > this.maxBytes) {
        throw RulePackError.of(
          'E_PACK_TOO_LARGE',
          '',
          `The file is ${size} bytes, more than the limit of ${this.maxBytes} bytes`,
          path
        )
      }
      text = await readFile(path, 'utf8')
    } catch (error) {
      if (error instanceof RulePackError) {
        throw error
      }
      throw RulePackError.of('E_PACK_READ', '', `Cannot read: ${(error as Error).message}`, path)
    }
    return this.load(text, path)
  }

  /**
   * Loads every pack of a folder: `<folder>/<pack>/pack.json` (how `rules/` and
   * `protocols/` are laid out) and `<folder>/*.json`. Sub-folders without `pack.json` and
   * `*.schema.json` files are skipped. A bad file does not stop the others; two files
   * with the same id@version are a failure of the second.
   */
  async loadDirectory(directory: string): Promise<DirectoryLoad> {
    const result: DirectoryLoad = { packs: [], failures: [] }
    const bySource = new Map<string, string>()
    for (const source of await this.#packFiles(directory)) {
      try {
        const pack = await this.loadFile(source)
        const earlier = bySource.get(packKey(pack))
        if (earlier !== undefined) {
          const message = `${packKey(pack)} is also in ${earlier}`
          throw RulePackError.of('E_PACK_DUPLICATE', '/version', message, source)
        }
        bySource.set(packKey(pack), source)
        result.packs.push({ source, pack })
      } catch (error) {
        if (!(error instanceof RulePackError)) {
          throw error
        }
        result.failures.push(error)
      }
    }
    return result
  }

  async #packFiles(directory: string): Promise<string[]> {
    let names: string[]
    try {
      const entries = await readdir(directory)
      names = entries.sort()
    } catch (error) {
      const message = `Cannot read the folder: ${(error as Error).message}`
      throw RulePackError.of('E_PACK_READ', '', message, directory)
    }
    const files: string[] = []
    for (const name of names.filter((entry) => !entry.startsWith('.'))) {
      const path = join(directory, name)
      const entry = await stat(path)
      if (entry.isDirectory()) {
        const packFile = join(path, 'pack.json')
        if (await isFile(packFile)) {
          files.push(packFile)
        }
      } else if (name.endsWith('.json') && !name.endsWith('.schema.json')) {
        files.push(path)
      }
    }
    return files
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    const entry = await stat(path)
    return entry.isFile()
  } catch {
    return false
  }
}
