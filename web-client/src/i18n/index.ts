// The language: Dutch unless the person chose English (remembered on this device). The
// <html lang> follows, so screen readers pronounce the text in the right language.
import { useEffect, useState } from 'preact/hooks';
import type { LocalizedText } from '../net/workshop-types';
import { en } from './en';
import { type MessageKey, nl } from './nl';

export type Lang = 'nl' | 'en';
export type { MessageKey };

const catalogs: Record<Lang, Record<MessageKey, string>> = { nl, en };
const STORAGE_KEY = 'werkplaats.lang';

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'nl';
  } catch {
    return 'nl';
  }
}

let current: Lang = initialLang();
const listeners = new Set<(lang: Lang) => void>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered in private mode; fine
  }
  document.documentElement.lang = lang;
  for (const listener of [...listeners]) listener(lang);
}

/** Call once at start-up so the page has the right lang before the first paint. */
export function applyLang(): void {
  document.documentElement.lang = current;
}

/** The text for `key`, with `{name}` places filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogs[current][key] ?? nl[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Keys that have a `.one` and an `.other` form. */
export type CountKey = {
  [K in MessageKey]: K extends `${infer Base}.one` ? Base : never;
}[MessageKey];

/** A count text: `${key}.one` for 1, `${key}.other` otherwise. */
export function tCount(key: CountKey, n: number, params: Record<string, string | number> = {}): string {
  return t((n === 1 ? `${key}.one` : `${key}.other`) as MessageKey, { ...params, n });
}

/** A template text in the current language (Dutch when there is no translation). */
export function loc(text: LocalizedText | undefined | null): string {
  if (!text) return '';
  return current === 'en' ? (text.en ?? text.nl) : text.nl;
}

/** Re-renders the component when the language changes; returns the current language. */
export function useLang(): Lang {
  const [lang, setState] = useState(current);
  useEffect(() => {
    const listener = (next: Lang) => setState(next);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return lang;
}
