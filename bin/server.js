/*
|--------------------------------------------------------------------------
| Production entrypoint: `APP_ROLE=<role> node bin/server.js`
|--------------------------------------------------------------------------
|
| Runs the HTTP server straight from the TypeScript sources (through the
| ts-exec JIT hook), so a checkout needs no build step to serve.
|
*/
import '@poppinss/ts-exec'

await import('./http_server.ts')
