/** Content collections: the partnership's pages and advice, written in Markdown under content/. */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const contact = z.object({ label: z.string().min(1), detail: z.string().min(1) });

const pages = defineCollection({
  loader: glob({ pattern: '**/*.md', base: './content/pages' }),
  schema: z.object({
    title: z.string().min(2),
    summary: z.string().min(10),
    updated: z.coerce.date().optional(),
  }),
});

const advice = defineCollection({
  loader: glob({ pattern: '**/*.md', base: './content/advice' }),
  schema: z.object({
    title: z.string().min(2),
    summary: z.string().min(10),
    order: z.number().int(),
    sensitive: z.boolean().default(false),
    contacts: z.array(contact).default([]),
  }),
});

export const collections = { pages, advice };
