/**
 * Typed configuration values shared by broker and topic configs: the value types Kafka's ConfigDef
 * knows, their parsers, and the validators (atLeast, between, in) with Kafka's wording.
 */

export type ConfigType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password' | 'class';
export type ConfigValue = number | boolean | string | string[] | null;

export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;
/** Kafka's Long.MAX_VALUE as a JavaScript number: offsets and times beyond 2^53 are clamped. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Parsed default; null means "no default" (unset). */
  readonly default: ConfigValue;
  readonly validate?: Validator;
  /** Accepted and parsed, but Brook does not act on it (single node, no replication, ...). */
  readonly ignored?: boolean;
  readonly doc?: string;
}

/** Returns an error message for a bad value, or null. */
export type Validator = (value: ConfigValue) => string | null;

export class ConfigException extends Error {
  constructor(
    readonly configName: string,
    readonly configValue: string,
    readonly reason: string,
  ) {
    super(`Invalid value ${configValue} for configuration ${configName}: ${reason}`);
    this.name = 'ConfigException';
  }
}

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one raw string as `type`; throws ConfigException with Kafka-like wording. */
export function parseValue(def: ConfigDef, raw: string): ConfigValue {
  const s = raw.trim();
  const fail = (reason: string): never => {
    throw new ConfigException(def.name, raw, reason);
  };
  let value: ConfigValue;
  switch (def.type) {
    case 'int':
    case 'short':
    case 'long': {
      if (!INT_RE.test(s)) fail(`Not a number of type ${def.type.toUpperCase()}`);
      const big = BigInt(s);
      const [lo, hi] =
        def.type === 'int'
          ? [BigInt(INT_MIN), BigInt(INT_MAX)]
          : def.type === 'short'
            ? [-32768n, 32767n]
            : [-(2n ** 63n), 2n ** 63n - 1n];
      if (big < lo || big > hi) fail(`Not a number of type ${def.type.toUpperCase()}`);
      const max = BigInt(LONG_MAX);
      value = Number(big > max ? max : big < -max ? -max : big);
      break;
    }
    case 'double':
      if (!DOUBLE_RE.test(s)) fail('Not a number of type DOUBLE');
      value = Number(s);
      break;
    case 'boolean': {
      const l = s.toLowerCase();
      if (l !== 'true' && l !== 'false') fail('Expected value to be either true or false');
      value = l === 'true';
      break;
    }
    case 'list':
      value = s === '' ? [] : s.split(',').map((x) => x.trim()).filter((x) => x !== '');
      break;
    default:
      value = s;
  }
  const err = def.validate?.(value);
  if (err) fail(err);
  return value;
}

/** Renders a parsed value the way Kafka prints it (DescribeConfigs). */
export function formatValue(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number' && value === LONG_MAX) return '9223372036854775807';
  return String(value);
}

export const atLeast =
  (min: number): Validator =>
  (v) =>
    v === null || (typeof v === 'number' && v >= min) ? null : `Value must be at least ${min}`;

export const between =
  (min: number, max: number): Validator =>
  (v) =>
    v === null || (typeof v === 'number' && v >= min && v <= max)
      ? null
      : `Value must be no less than ${min} and no more than ${max}`;

/** String in a fixed set (case-sensitive, as Kafka's ValidString). */
export const oneOf =
  (...allowed: string[]): Validator =>
  (v) =>
    v === null || (typeof v === 'string' && allowed.includes(v)) ? null : `String must be one of: ${allowed.join(', ')}`;

/** Every list element in a fixed set (Kafka's ValidList). */
export const listOf =
  (...allowed: string[]): Validator =>
  (v) => {
    if (v === null) return null;
    const bad = (v as string[]).find((x) => !allowed.includes(x));
    return bad === undefined ? null : `String must be one of: ${allowed.join(', ')}`;
  };
