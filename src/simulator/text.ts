/**
 * Synthetic text with the shapes that break real pipelines: emoji (surrogate pairs and ZWJ sequences), right-to-left
 * scripts, CJK, combining marks, empty strings and bodies past 60,000 characters.
 */
import { intBetween, pick, type Random } from './random.ts';

const AREAS = [
  'parser',
  'CLI',
  'docs',
  'cache layer',
  'auth flow',
  'CI',
  'build',
  'API client',
  'scheduler',
  'UI',
];
const VERBS = ['Fix', 'Add', 'Refactor', 'Remove', 'Speed up', 'Document', 'Harden', 'Simplify', 'Revert'];
const THINGS = [
  'race condition',
  'null check',
  'retry logic',
  'pagination',
  'error message',
  'config option',
];
const EMOJI = ['🚀', '✨', '🐛', '🔥', '♻️', '👩‍💻', '🇺🇦', '🧪', '📝', '⚡️'];
const ARABIC = [
  'إصلاح خطأ في المحلل',
  'إضافة دعم للغة العربية',
  'تحديث الوثائق',
  'تحسين الأداء في ذاكرة التخزين',
];
const HEBREW = ['תיקון באג בממשק', 'הוספת תמיכה בעברית', 'עדכון התיעוד', 'שיפור ביצועים במטמון'];
const CJK = ['修复解析器中的错误', '添加中文支持', 'ドキュメントを更新', '캐시 성능 개선'];
export const BOT_PACKAGES = [
  'lodash',
  'axios',
  'react',
  'typescript',
  'vitest',
  '@types/node',
  'esbuild',
  'pg',
];

export function pullRequestTitle(random: Random, byBot: boolean): string {
  if (byBot) {
    const pkg = pick(random, BOT_PACKAGES);
    const from = `${intBetween(random, 0, 9)}.${intBetween(random, 0, 30)}.${intBetween(random, 0, 20)}`;
    return `Bump ${pkg} from ${from} to ${from.replace(/\d+$/, (patch) => String(Number(patch) + 1))}`;
  }
  const roll = random();
  const plain = `${pick(random, VERBS)} ${pick(random, THINGS)} in ${pick(random, AREAS)}`;
  if (roll < 0.12) return `${pick(random, EMOJI)} ${plain}`;
  if (roll < 0.18) return pick(random, ARABIC);
  if (roll < 0.24) return pick(random, HEBREW);
  if (roll < 0.28) return pick(random, CJK);
  if (roll < 0.3) return `${plain} (mixed ${pick(random, ARABIC)} / ${pick(random, EMOJI)})`;
  if (roll < 0.31) return `Cafe\u0301 na\u0308ive ${plain}`; // combining marks: NFC and NFD must both survive
  return plain;
}

export type BodyShape = 'empty' | 'short' | 'huge';

export function bodyShape(random: Random): BodyShape {
  const roll = random();
  if (roll < 0.1) return 'empty';
  if (roll < 0.104) return 'huge';
  return 'short';
}

export function pullRequestBody(random: Random, shape: BodyShape, number: number): string {
  if (shape === 'empty') return '';
  const paragraph = `## Summary\n\n${pick(random, VERBS)} the ${pick(random, THINGS)} (#${number}). ${pick(random, EMOJI)}\n\n${pick(
    random,
    [...ARABIC, ...HEBREW, ...CJK, 'Plain text, nothing special.'],
  )}\n\n- [x] tests\n- [ ] docs\n`;
  if (shape === 'short') return paragraph;
  // A pasted log: 60,000+ characters, multi-byte throughout, so byte and character limits both get exercised.
  const target = 60_000 + intBetween(random, 0, 20_000);
  const line = `${paragraph}\`\`\`\nERROR ${'🔥'.repeat(3)} שגיאה خطأ ${'x'.repeat(40)}\n\`\`\`\n`;
  // Never cut an emoji in half: GitHub's JSON is UTF-8, which cannot carry a lone surrogate.
  return line
    .repeat(Math.ceil(target / line.length))
    .slice(0, target)
    .replace(/[\uD800-\uDBFF]$/, '');
}

export function commentBody(random: Random): string {
  const roll = random();
  if (roll < 0.5) return 'LGTM 👍';
  if (roll < 0.7) return pick(random, [...ARABIC, ...HEBREW, ...CJK]);
  return `Could we ${pick(random, VERBS).toLowerCase()} the ${pick(random, THINGS)} here? ${pick(random, EMOJI)}`;
}

export const LABELS = [
  'bug',
  'enhancement',
  'dependencies',
  'documentation',
  'good first issue',
  '🐛 regression',
  'priority: high',
  'type: feature ✨',
  'אבטחה',
  'تحسين',
  'needs-triage',
  'wontfix',
];

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 30) || 'change'
  );
}
