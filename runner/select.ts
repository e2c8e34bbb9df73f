// Which scenarios a run selects: `-t regex` (case-insensitive, against the
// name and every tag: `-t onfault` finds the scenarios tagged onfault),
// `--tag` (any of them) and `--exclude-tag` (none of them), tags compared
// case-insensitively. Shared by run, watch, list, diff, record and compare.
import { UsageError, listOption, stringOption } from './args.js';
import type { OptionValue } from './commands/types.js';

export interface Selection {
  filter?: string;
  tags?: string[];
  excludeTags?: string[];
}

export function selectionOf(o: Record<string, OptionValue>): Selection {
  const filter = stringOption(o, 'filter');
  if (filter !== undefined) {
    try {
      new RegExp(filter, 'i');
    } catch (e) {
      throw new UsageError(`--filter: invalid regular expression: ${(e as Error).message}`);
    }
  }
  const words = (name: string) => listOption(o, name).flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  const tags = words('tag');
  const excludeTags = words('exclude-tag');
  return {
    ...(filter !== undefined ? { filter } : {}),
    ...(tags.length ? { tags } : {}),
    ...(excludeTags.length ? { excludeTags } : {}),
  };
}

export function isSelected(sel: Selection, s: { name: string; tags: readonly string[] }): boolean {
  const tags = s.tags.map((t) => t.toLowerCase());
  if (sel.filter !== undefined) {
    const re = new RegExp(sel.filter, 'i');
    if (!re.test(s.name) && !s.tags.some((t) => re.test(t))) return false;
  }
  if (sel.tags && !sel.tags.some((t) => tags.includes(t.toLowerCase()))) return false;
  if (sel.excludeTags && sel.excludeTags.some((t) => tags.includes(t.toLowerCase()))) return false;
  return true;
}

/** How the selection reads in "no scenario matches …". */
export function selectionText(sel: Selection): string {
  return [
    ...(sel.filter !== undefined ? [`--filter ${sel.filter}`] : []),
    ...(sel.tags ? [`--tag ${sel.tags.join(',')}`] : []),
    ...(sel.excludeTags ? [`--exclude-tag ${sel.excludeTags.join(',')}`] : []),
  ].join(' ');
}
