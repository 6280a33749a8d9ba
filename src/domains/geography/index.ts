/** Geography: the public entry of the domain (ONS imports, the postcode table, out-of-area postcodes, nearby cases). */
export * from './ons.ts';
export * from './postcodes.ts';
export * from './locate.ts';
export * from './nearby.ts';
export * from './import.ts';
