import router from '@adonisjs/core/services/router'

type UrlFor = (name: string, params?: Record<string, string>) => string

/**
 * The URL of a named route. `.adonisjs/server/routes.d.ts` types route names
 * from the routes of the role that booted last, so the pages of a surface
 * another role serves (clinic pages on an iCDR) would not typecheck with
 * `toRoute`; pages name their routes through this instead.
 */
export function routeUrl(name: string, params?: Record<string, string>): string {
  return (router.urlBuilder.urlFor as UrlFor)(name, params)
}
