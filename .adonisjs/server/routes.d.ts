import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'health': { paramsTuple?: []; params?: {} }
    'auth.login': { paramsTuple?: []; params?: {} }
    'auth.session': { paramsTuple?: []; params?: {} }
    'auth.logout': { paramsTuple?: []; params?: {} }
    'api.node.show': { paramsTuple?: []; params?: {} }
    'api.patients.due': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.auth.tokens': { paramsTuple?: []; params?: {} }
    'api.auth.verify': { paramsTuple?: []; params?: {} }
    'api.auth.credential_changes': { paramsTuple?: []; params?: {} }
    'api.auth.security_reports': { paramsTuple?: []; params?: {} }
    'api.users.index': { paramsTuple?: []; params?: {} }
    'api.users.store': { paramsTuple?: []; params?: {} }
    'api.users.password': { paramsTuple: [ParamValue]; params: {'username': ParamValue} }
    'api.users.deactivate': { paramsTuple: [ParamValue]; params: {'username': ParamValue} }
    'api.audit_events.index': { paramsTuple?: []; params?: {} }
    'fhir.metadata': { paramsTuple?: []; params?: {} }
    'fhir.bundle': { paramsTuple?: []; params?: {} }
    'fhir.search': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.search.post': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.history.type': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.create': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.read': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.update': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.delete': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.history.instance': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.vread': { paramsTuple: [ParamValue,ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue,'versionId': ParamValue} }
    'rule_packs.schema': { paramsTuple?: []; params?: {} }
    'rule_packs.index': { paramsTuple?: []; params?: {} }
    'rule_packs.failures': { paramsTuple?: []; params?: {} }
    'rule_packs.store': { paramsTuple?: []; params?: {} }
    'rule_packs.validate': { paramsTuple?: []; params?: {} }
    'rule_packs.show': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.test': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.diff': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.publish': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.retire': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
  }
  GET: {
    'health': { paramsTuple?: []; params?: {} }
    'auth.session': { paramsTuple?: []; params?: {} }
    'api.node.show': { paramsTuple?: []; params?: {} }
    'api.patients.due': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.auth.credential_changes': { paramsTuple?: []; params?: {} }
    'api.users.index': { paramsTuple?: []; params?: {} }
    'api.audit_events.index': { paramsTuple?: []; params?: {} }
    'fhir.metadata': { paramsTuple?: []; params?: {} }
    'fhir.search': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.history.type': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.read': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.history.instance': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.vread': { paramsTuple: [ParamValue,ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue,'versionId': ParamValue} }
    'rule_packs.schema': { paramsTuple?: []; params?: {} }
    'rule_packs.index': { paramsTuple?: []; params?: {} }
    'rule_packs.failures': { paramsTuple?: []; params?: {} }
    'rule_packs.show': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.diff': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
  }
  HEAD: {
    'health': { paramsTuple?: []; params?: {} }
    'auth.session': { paramsTuple?: []; params?: {} }
    'api.node.show': { paramsTuple?: []; params?: {} }
    'api.patients.due': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.auth.credential_changes': { paramsTuple?: []; params?: {} }
    'api.users.index': { paramsTuple?: []; params?: {} }
    'api.audit_events.index': { paramsTuple?: []; params?: {} }
    'fhir.metadata': { paramsTuple?: []; params?: {} }
    'fhir.search': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.history.type': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.read': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.history.instance': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
    'fhir.vread': { paramsTuple: [ParamValue,ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue,'versionId': ParamValue} }
    'rule_packs.schema': { paramsTuple?: []; params?: {} }
    'rule_packs.index': { paramsTuple?: []; params?: {} }
    'rule_packs.failures': { paramsTuple?: []; params?: {} }
    'rule_packs.show': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.diff': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
  }
  POST: {
    'auth.login': { paramsTuple?: []; params?: {} }
    'auth.logout': { paramsTuple?: []; params?: {} }
    'api.auth.tokens': { paramsTuple?: []; params?: {} }
    'api.auth.verify': { paramsTuple?: []; params?: {} }
    'api.auth.security_reports': { paramsTuple?: []; params?: {} }
    'api.users.store': { paramsTuple?: []; params?: {} }
    'api.users.deactivate': { paramsTuple: [ParamValue]; params: {'username': ParamValue} }
    'fhir.bundle': { paramsTuple?: []; params?: {} }
    'fhir.search.post': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'fhir.create': { paramsTuple: [ParamValue]; params: {'type': ParamValue} }
    'rule_packs.store': { paramsTuple?: []; params?: {} }
    'rule_packs.validate': { paramsTuple?: []; params?: {} }
    'rule_packs.test': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.publish': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
    'rule_packs.retire': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'version': ParamValue} }
  }
  PUT: {
    'api.users.password': { paramsTuple: [ParamValue]; params: {'username': ParamValue} }
    'fhir.update': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
  }
  DELETE: {
    'fhir.delete': { paramsTuple: [ParamValue,ParamValue]; params: {'type': ParamValue,'id': ParamValue} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}