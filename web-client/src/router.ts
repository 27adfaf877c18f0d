// Client routes: /, /join/CODE, /s/ID (session), /s/ID/display (projector), /s/ID/asker
// (the question-asker's screen), /s/ID/print/WHAT (a page for paper: blank, format, plan, results). The server answers every unknown path with index.html, so these work on a
// reload and as links.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'start' }
  | { name: 'join'; code: string }
  | { name: 'session'; id: string }
  | { name: 'display'; id: string }
  | { name: 'asker'; id: string }
  | { name: 'print'; id: string; what: 'blank' | 'format' | 'plan' | 'results' }
  | { name: 'not-found' };

const SESSION_ID = '[A-Za-z0-9_-]{1,64}';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'start' };
  let m = path.match(/^\/join\/([^/]{1,32})$/);
  if (m) return { name: 'join', code: decodeURIComponent(m[1] as string) };
  m = path.match(new RegExp(`^/s/(${SESSION_ID})$`));
  if (m) return { name: 'session', id: m[1] as string };
  m = path.match(new RegExp(`^/s/(${SESSION_ID})/display$`));
  if (m) return { name: 'display', id: m[1] as string };
  m = path.match(new RegExp(`^/s/(${SESSION_ID})/asker$`));
  if (m) return { name: 'asker', id: m[1] as string };
  m = path.match(new RegExp(`^/s/(${SESSION_ID})/print/(blank|format|plan|results)$`));
  if (m) return { name: 'print', id: m[1] as string, what: m[2] as 'blank' | 'format' | 'plan' | 'results' };
  return { name: 'not-found' };
}

const listeners = new Set<() => void>();

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of [...listeners]) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Intercepts a click on an in-app link so the page does not reload. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  if (anchor.target && anchor.target !== '_self') return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
