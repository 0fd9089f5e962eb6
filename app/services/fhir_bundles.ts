import type { HttpContext } from '@adonisjs/core/http'
import { bundleText } from '#interop/fhir/bundle_text'
import { DEFAULT_COUNT, MAX_COUNT } from '#interop/fhir/search_result_parameters'
import { FhirError } from '#interop/fhir/fhir_error'
import type { SearchQuery } from '#interop/fhir/search_query'
import type { HistoryPage, SearchPage } from '#services/clinical_repository'
import { baseUrl, searchParameters } from '#services/fhir_http'

/**
 * Search and history results as Bundles with paging links.
 * @see https://hl7.org/fhir/R4/search.html#paging
 */
export class FhirBundles {
  searchset(ctx: HttpContext, query: SearchQuery, page: SearchPage): string {
    const base = baseUrl(ctx)
    const links =
      query.summary === 'count'
        ? [{ relation: 'self', url: `${base}/${query.type}?${searchParameters(ctx)}` }]
        : this.#links(
            ctx,
            `${base}/${query.type}`,
            query.offset,
            query.count,
            page.total,
            page.matches.length
          )
    const entries = [
      ...page.matches.map((match) => ({
        fullUrl: `${base}/${match.type}/${match.id}`,
        resourceText: match.content,
        search: { mode: 'match' },
      })),
      ...page.included.map((included) => ({
        fullUrl: `${base}/${included.type}/${included.id}`,
        resourceText: included.content,
        search: { mode: 'include' },
      })),
    ]
    return bundleText(
      { type: 'searchset', total: page.total, link: links },
      query.summary === 'count' ? [] : entries
    )
  }

  history(ctx: HttpContext, history: HistoryPage, page: { count: number; offset: number }): string {
    const base = baseUrl(ctx)
    const path = ctx.request.url().replace(/^\/fhir/, '')
    const links = this.#links(
      ctx,
      `${base}${path}`,
      page.offset,
      page.count,
      history.total,
      history.entries.length
    )
    return bundleText(
      { type: 'history', total: history.total, link: links },
      history.entries.map((entry) => ({
        fullUrl: `${base}/${entry.type}/${entry.id}`,
        resourceText: entry.content ?? undefined,
        request: {
          method: entry.method === 'create' ? 'POST' : entry.method === 'update' ? 'PUT' : 'DELETE',
          url: entry.method === 'create' ? entry.type : `${entry.type}/${entry.id}`,
        },
        response: {
          status:
            entry.method === 'create'
              ? '201 Created'
              : entry.method === 'update'
                ? '200 OK'
                : '204 No Content',
          etag: `W/"${entry.versionId}"`,
          lastModified: entry.lastUpdated,
        },
      }))
    )
  }

  historyPage(ctx: HttpContext): { count: number; offset: number } {
    const { _count: count, _offset: offset } = ctx.request.qs()
    const parsed = {
      count: count === undefined ? DEFAULT_COUNT : Number(count),
      offset: offset === undefined ? 0 : Number(offset),
    }
    if (
      !Number.isInteger(parsed.count) ||
      parsed.count < 0 ||
      !Number.isInteger(parsed.offset) ||
      parsed.offset < 0
    ) {
      throw FhirError.badRequest('_count and _offset must be whole numbers of zero or more')
    }
    return { count: Math.min(parsed.count, MAX_COUNT), offset: parsed.offset }
  }

  #links(
    ctx: HttpContext,
    url: string,
    offset: number,
    count: number,
    total: number | undefined,
    returned: number
  ) {
    const parameters = searchParameters(ctx)
    const at = (pageOffset: number) => {
      const page = new URLSearchParams(parameters)
      page.set('_offset', String(pageOffset))
      page.set('_count', String(count))
      return `${url}?${page.toString()}`
    }
    const links = [{ relation: 'self', url: at(offset) }]
    const more = total === undefined ? returned === count && count > 0 : offset + returned < total
    if (more) {
      links.push({ relation: 'next', url: at(offset + count) })
    }
    if (offset > 0) {
      links.push({ relation: 'previous', url: at(Math.max(0, offset - count)) })
    }
    return links
  }
}
