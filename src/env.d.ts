/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    user: import('./domains/identity/types.ts').SessionUser | null;
    session: import('./domains/identity/types.ts').SessionInfo | null;
  }
}
