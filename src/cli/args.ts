/**
 * Command-line arguments of the client: `"<prompt>" --model <name> [options]`. Parsing only; whether
 * the model accepts an option is checked against the catalog when the request is built.
 */
import { parseArgs } from 'node:util';

/** What the user asked for, parsed but not yet checked against the catalog. */
export interface ClientArgs {
  readonly prompt: string;
  readonly model: string;
  readonly n: number;
  /** A tier keyword (`2K`) or exact pixels. */
  readonly size?: { readonly tier: string } | { readonly width: number; readonly height: number };
  /** Image set with at most this many images. */
  readonly set?: number;
  readonly format: 'url' | 'bytes';
  readonly out: string;
  readonly address?: string;
  readonly keyFile?: string;
}

/** Bad command line: print it with the usage text and exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run client -- "<prompt>" --model <name> [options]

  --model <name>       any model name ListModels lists, e.g. doubao-seedream-4-5, seedream-4-0-250828
  --n <N>              independent images (default 1)
  --size <2K|WxH>      a size tier (1K, 1.5K, 2K, 3K, 4K) or exact pixels such as 2048x2048
  --set <MAX>          an image set of up to MAX related images (Seedream 4.0, 4.5, 5.0 lite)
  --format <url|bytes> how the gateway returns images (default url; the client saves both)
  --out <dir>          where to save the images (default ./images)
  --address <host:port> the gateway (default SEEDREAM_GATEWAY_ADDRESS, else 127.0.0.1:50051)
  --key-file <path>    file holding the gateway key (default SEEDREAM_API_KEY; none = open gateway)`;

/** Parses argv (without `node script`); throws UsageError for anything malformed. */
export function parseClientArgs(argv: readonly string[]): ClientArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        n: { type: 'string' },
        size: { type: 'string' },
        set: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        address: { type: 'string' },
        'key-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  if (positionals.length !== 1 || positionals[0]?.trim() === '') throw new UsageError('give exactly one prompt (quote it)');
  if (values.model === undefined) throw new UsageError('--model is required');
  const format = values.format ?? 'url';
  if (format !== 'url' && format !== 'bytes') throw new UsageError('--format must be url or bytes');
  return {
    prompt: positionals[0] ?? '',
    model: values.model,
    n: values.n === undefined ? 1 : positiveInt('--n', values.n),
    ...(values.size !== undefined && { size: sizeArg(values.size) }),
    ...(values.set !== undefined && { set: positiveInt('--set', values.set) }),
    format,
    out: values.out ?? './images',
    ...(values.address !== undefined && { address: values.address }),
    ...(values['key-file'] !== undefined && { keyFile: values['key-file'] }),
  };
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`${name} must be a whole number ≥ 1`);
  return value;
}

function sizeArg(text: string): NonNullable<ClientArgs['size']> {
  const pixels = /^(\d+)[xX×](\d+)$/.exec(text);
  if (pixels !== null) return { width: Number(pixels[1]), height: Number(pixels[2]) };
  if (/^\d+(\.\d+)?[kK]$/.test(text)) return { tier: text.toUpperCase() };
  throw new UsageError('--size must be a tier such as 2K or pixels such as 2048x2048');
}
