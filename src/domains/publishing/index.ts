/** Publishing: the public entry of the domain (content types, workflow, versions, figures, public reads, feeds). */
export * from './content.ts';
export * from './workflow.ts';
export * from './store.ts';
export * from './measures.ts';
export * from './markdown.ts';
export * from './versions.ts';
export * from './area-sections.ts';
export * from './public.ts';
export * from './easy-read.ts';
