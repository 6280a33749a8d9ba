/** Open311 GeoReport v2, the server side: formats, services, keys, requests and statuses. */
export * from './format.ts';
export * from './keys.ts';
export * from './requests.ts';
export * from './services.ts';
export * from './statuses.ts';
