import { AudioDecodeError } from '@clapjs/audio';
import { ClapError } from '@clapjs/core';

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | EventListener | undefined>;

/**
 * Creates an element: `props` become attributes (`on…` functions become listeners, `true` a bare
 * attribute, `false`/`undefined` nothing), children are appended in order.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== undefined && value !== false) element.setAttribute(key, String(value));
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/**
 * A readable one-line description of an error. Class names do not survive minification, so the
 * typed errors the page expects are named explicitly; ClapErrors carry their stable code.
 */
export function describeError(error: unknown): string {
  if (error instanceof AudioDecodeError)
    return `AudioDecodeError (${error.code}): ${error.message}`;
  if (error instanceof ClapError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Shows an error in a `role="alert"` box (screen readers announce it), or clears the box. */
export function showError(box: HTMLElement, error: unknown | null): void {
  box.hidden = error === null;
  box.textContent = error === null ? '' : describeError(error);
}

/** Lets the browser paint (status text, spinners) before a long synchronous tfjs call. */
export function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Formats a number for display with a fixed count of decimals. */
export function fmt(value: number, digits = 3): string {
  return value.toFixed(digits);
}
