/** A tiny HTTP client for integration tests: keeps cookies, sends the Origin header on POST like a browser. */

/** One visitor with a cookie jar. */
export class Visitor {
  cookies = new Map<string, string>();
  base: string;
  constructor(base: string) {
    this.base = base;
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      // As a browser does: a cookie set to expire in the past (how Astro's cookies.delete clears one) is dropped.
      const expires = /;\s*expires=([^;]+)/i.exec(c)?.[1];
      if (/max-age=0/i.test(c) || value === '' || (expires !== undefined && Date.parse(expires) <= Date.now())) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** GET a path (no redirects followed). */
  async get(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookieHeader(), ...headers } });
    this.keep(res);
    return res;
  }

  /** POST a form (urlencoded or multipart) with a same-origin Origin header unless told otherwise. */
  async post(path: string, body: Record<string, string> | FormData | URLSearchParams, headers: Record<string, string> = {}) {
    const payload = body instanceof FormData || body instanceof URLSearchParams ? body : new URLSearchParams(body);
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      body: payload,
      headers: { origin: this.base, cookie: this.cookieHeader(), ...headers },
    });
    this.keep(res);
    return res;
  }
}

/** A vandalism report's answers from the danger step up to, not including, the photos step (each path with its form). */
export const ANSWERS_BEFORE_PHOTOS: readonly (readonly [string, Record<string, string>])[] = [
  ['/report/danger', { danger: 'no' }],
  ['/report/category', { category: 'vandalism' }],
  ['/report/description', { description: 'Someone sprayed graffiti on the bus shelter again.' }],
  ['/report/when', { whenKind: 'approx' }],
  ['/report/when-details', { whenText: 'Last weekend' }],
  ['/report/where', { postcode: 'HW3 1AB', place: '' }],
  ['/report/people', { people: '', affected: 'community', before: 'yes' }],
];
