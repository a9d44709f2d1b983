// R-SEC-4: a URL such as `https://trusted.example@evil.example/` reads as one host and leads
// to another. New input refuses credentials (userinfo); links stored before that rule get them
// removed when they are rendered.

/** The authority of an absolute URL as written: between `//` and the next `/`, `?` or `#`. */
function rawAuthority(value: string): string {
  const start = value.indexOf('//');
  if (start === -1) {
    return '';
  }
  const rest = value.slice(start + 2);
  const end = rest.search(/[/?#\\]/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** Whether the URL carries a user name, a password, or an `@` before its host. */
export function hasUserinfo(value: string): boolean {
  if (rawAuthority(value).includes('@')) {
    return true;
  }
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** The URL without its credentials; unchanged (byte for byte) when it has none. */
export function stripUserinfo(value: string): string {
  if (!hasUserinfo(value)) {
    return value;
  }
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return value;
  }
}
