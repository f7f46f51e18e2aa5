/**
 * Renders a simulated output image: the deterministic block picture of the parameters, encoded as the
 * format the request asked for (reference §1.1 `output_format`, jpeg unless a 5.0 model is asked for png).
 */
import type { OutputFormatName } from '../../models/types.js';
import { drawPattern, type PatternParams } from './pattern.js';
import { encodeJpeg } from './jpeg.js';
import { encodePng, encodeTransparentPng } from './png.js';

/** Everything an output image is derived from. */
export interface RenderParams extends PatternParams {
  readonly format: OutputFormatName;
  /** A transparent background (PNG only): an RGBA file whose background pixels have alpha 0. */
  readonly transparent?: boolean;
}

/** Encoded image bytes and their media type. */
export interface RenderedImage {
  readonly bytes: Buffer;
  readonly contentType: 'image/jpeg' | 'image/png';
}

/** Renders the image for these parameters; equal parameters give byte-identical output. */
export function renderImage(params: RenderParams): RenderedImage {
  const pattern = drawPattern(params);
  if (params.format === 'png' && params.transparent === true) {
    return { bytes: encodeTransparentPng(pattern, params.width, params.height), contentType: 'image/png' };
  }
  return params.format === 'png'
    ? { bytes: encodePng(pattern, params.width, params.height), contentType: 'image/png' }
    : { bytes: encodeJpeg(pattern, params.width, params.height), contentType: 'image/jpeg' };
}

/** A string that identifies the rendered bytes of these parameters (the image cache key). */
export function renderKey(params: RenderParams): string {
  return `${params.format}${params.transparent === true ? '+alpha' : ''}|${params.width}x${params.height}|${params.seed}|${params.index}|${params.watermark ? 1 : 0}|${params.prompt}`;
}
