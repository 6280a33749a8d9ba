/** The calls domain's public entry: web glue and pages import call logging, lookup, lists, figures and exports from here. */
export * from './advice.ts';
export * from './csv.ts';
export * from './duration.ts';
export * from './figures.ts';
export * from './form.ts';
export * from './list.ts';
export * from './log.ts';
export * from './lookup.ts';
export * from './reasons.ts';
export * from './saved.ts';
