/**
 * OpenAI JSON → proto ImageGenerationSpec: every alias selects its model's oneof member, each request
 * field lands in the proto field of the same meaning, and what the model's options message cannot hold
 * is rejected naming the field as the caller spelled it.
 */
import { describe, expect, it } from 'vitest';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { OutputFormat, PromptOptimizationMode, SizeTier } from '../../gen/seedream/v1/types.js';
import { GatewayError } from '../../src/errors.js';
import { specFromProto } from '../../src/contract/spec-from-proto.js';
import { modelCatalog } from '../../src/models/catalog.js';
import { findModel, modelNames } from '../../src/models/lookup.js';
import { RestRequestError } from '../../src/rest/openai-errors.js';
import { parseImageRequest } from '../../src/rest/request-schema.js';
import { protoSpecFromOpenAi, type TranslatedRequest } from '../../src/rest/spec-from-openai.js';

function translate(body: Record<string, unknown>): TranslatedRequest {
  const { request } = parseImageRequest({ prompt: 'a heron', ...body });
  const model = findModel(request.model);
  if (model === undefined) throw new Error(`unknown model ${request.model}`);
  return protoSpecFromOpenAi(request, model);
}

function rejection(body: Record<string, unknown>): RestRequestError {
  try {
    translate(body);
  } catch (error) {
    if (error instanceof RestRequestError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const caseOf = { seedream_3_0: 'seedream30', seedream_4_0: 'seedream40', seedream_4_5: 'seedream45', seedream_5_0_lite: 'seedream50Lite', seedream_5_0_pro: 'seedream50Pro', seedream_5_0_flash: 'seedream50Flash', seedream_5_5: 'seedream55' } as const;
const everyAlias = modelCatalog.flatMap((entry) => modelNames(entry).map((name) => [name, entry.key] as const));

describe('model names', () => {
  it.each(everyAlias)('%s selects %s, pinned to the name the caller used', (name, key) => {
    const { spec } = translate({ model: name });
    expect(spec.model?.$case).toBe(caseOf[key]);
    expect(spec.model?.value.modelId).toBe(name);
    expect(specFromProto(spec)).toMatchObject({ model: key, modelId: name });
  });
});

describe('field mapping', () => {
  it('maps the common fields', () => {
    const { spec, refs } = translate({ model: 'doubao-seedream-4-5', response_format: 'b64_json', watermark: false, n: 3, user: 'user-7', image: ['https://a.example/1.png', 'data:image/png;base64,AAAA'] });
    expect(spec).toEqual({
      prompt: 'a heron',
      referenceImages: [
        { source: { $case: 'url', value: 'https://a.example/1.png' }, mimeType: '' },
        { source: { $case: 'url', value: 'data:image/png;base64,AAAA' }, mimeType: '' },
      ],
      responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
      watermark: false,
      n: 3,
      user: 'user-7',
      model: { $case: 'seedream45', value: { modelId: 'doubao-seedream-4-5', size: undefined, imageSet: undefined } },
    });
    expect(refs).toEqual({ name: 'image', single: false });
  });

  it('leaves unset fields at their proto defaults', () => {
    const { spec, refs } = translate({ model: 'doubao-seedream-4-5' });
    expect(spec).toMatchObject({ referenceImages: [], responseFormat: ResponseFormat.RESPONSE_FORMAT_URL, watermark: undefined, n: 0, user: '' });
    expect(refs).toBeUndefined();
  });

  it('takes image_input as one string', () => {
    const { spec, refs } = translate({ model: 'doubao-seedream-4-5', image_input: 'https://a.example/1.png' });
    expect(spec.referenceImages).toEqual([{ source: { $case: 'url', value: 'https://a.example/1.png' }, mimeType: '' }]);
    expect(refs).toEqual({ name: 'image_input', single: true });
  });

  it.each([
    ['2K', { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_2K } }],
    ['4k', { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_4K } }],
    ['2560x1440', { kind: { $case: 'pixels', value: { width: 2560, height: 1440 } } }],
    ['2560×1440', { kind: { $case: 'pixels', value: { width: 2560, height: 1440 } } }],
  ])('maps size %s to the proto Size', (size, expected) => {
    expect(translate({ model: 'doubao-seedream-4-5', size }).spec.model?.value.size).toEqual(expected);
  });

  it('maps 3.0 sizes, seed and guidance_scale', () => {
    const { spec } = translate({ model: 'doubao-seedream-3-0-t2i', size: '1024x768', seed: 42, guidance_scale: 5.5 });
    expect(spec.model).toEqual({ $case: 'seedream30', value: { modelId: 'doubao-seedream-3-0-t2i', size: { width: 1024, height: 768 }, seed: 42, guidanceScale: 5.5 } });
  });

  it.each([
    [{ sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 4 } }, { maxImages: 4 }],
    [{ sequential_image_generation: 'auto' }, { maxImages: 0 }],
    [{ sequential_image_generation: 'disabled' }, undefined],
    [{ sequential_image_generation_options: { max_images: 4 } }, undefined],
  ])('maps %j to image_set %j', (extra, imageSet) => {
    const { spec } = translate({ model: 'doubao-seedream-4-0', ...extra });
    expect(spec.model?.$case === 'seedream40' && spec.model.value.imageSet).toEqual(imageSet);
  });

  it.each([
    ['doubao-seedream-4-0', 'fast', PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST],
    ['doubao-seedream-4-0', 'standard', PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_STANDARD],
    ['doubao-seedream-5-0-pro', 'fast', PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST],
  ])('maps %s optimize_prompt_options.mode %s', (model, mode, expected) => {
    const value = translate({ model, optimize_prompt_options: { mode } }).spec.model?.value;
    expect(value && 'promptOptimization' in value && value.promptOptimization).toBe(expected);
  });

  it.each([
    ['doubao-seedream-5-0-lite', 'png', 'seedream50Lite', OutputFormat.OUTPUT_FORMAT_PNG],
    ['doubao-seedream-5-0-flash', 'jpeg', 'seedream50Flash', OutputFormat.OUTPUT_FORMAT_JPEG],
  ])('maps %s output_format %s', (model, output_format, $case, expected) => {
    const member = translate({ model, output_format }).spec.model;
    expect(member?.$case).toBe($case);
    expect(member?.value && 'outputFormat' in member.value && member.value.outputFormat).toBe(expected);
  });

  it('maps tools web_search on 5.0 lite', () => {
    expect(translate({ model: 'doubao-seedream-5-0-lite', tools: [{ type: 'web_search' }] }).spec.model).toMatchObject({ $case: 'seedream50Lite', value: { webSearch: true } });
  });

  it.each([
    ['doubao-seedream-4-5', { optimize_prompt_options: { mode: 'standard' } }],
    ['doubao-seedream-4-0', { output_format: 'jpeg' }],
    ['doubao-seedream-5-0-lite', { tools: [] }],
  ])('accepts the only value %s has for %j without a field', (model, extra) => {
    expect(() => translate({ model, ...extra })).not.toThrow();
  });
});

describe('fields the model cannot take', () => {
  it.each([
    ['doubao-seedream-4-5', { seed: 7 }, 'seed', 'seed: Seedream 4.5 does not accept seed'],
    ['doubao-seedream-4-0', { guidance_scale: 3 }, 'guidance_scale', 'guidance_scale: Seedream 4.0 does not accept guidance_scale'],
    ['doubao-seedream-4-5', { optimize_prompt_options: { mode: 'fast' } }, 'optimize_prompt_options.mode', 'optimize_prompt_options.mode: Seedream 4.5 accepts only the mode standard'],
    ['doubao-seedream-3-0-t2i', { optimize_prompt_options: { mode: 'standard' } }, 'optimize_prompt_options.mode', 'optimize_prompt_options.mode: Seedream 3.0 does not accept optimize_prompt_options'],
    ['doubao-seedream-4-5', { output_format: 'png' }, 'output_format', 'output_format: Seedream 4.5 produces only jpeg'],
    ['doubao-seedream-5-0-pro', { tools: [{ type: 'web_search' }] }, 'tools', 'tools: Seedream 5.0 pro does not accept tools (web_search is Seedream 5.0 lite only)'],
    ['doubao-seedream-5-0-flash', { sequential_image_generation: 'auto' }, 'sequential_image_generation', 'sequential_image_generation: Seedream 5.0 flash does not generate image sets; use n for independent images'],
    ['doubao-seedream-3-0-t2i', { size: '2K' }, 'size', 'size: Seedream 3.0 accepts only exact pixel sizes such as 1024x1024, not tiers'],
    ['doubao-seedream-4-5', { size: 'auto' }, 'size', 'size: "auto" is not a size; Seedream 4.5 accepts the tiers 2K, 4K or WIDTHxHEIGHT with 3686400 to 16777216 pixels in total (for example 2048x2048)'],
    ['doubao-seedream-3-0-t2i', { size: 'big' }, 'size', 'size: "big" is not a size; Seedream 3.0 accepts only WIDTHxHEIGHT with 262144 to 4194304 pixels in total (for example 1024x1024)'],
  ])('%s rejects %j naming %s', (model, extra, param, message) => {
    const error = rejection({ model, ...extra });
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.reason).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe(param);
    expect(error.message).toBe(message);
  });

  it('reports every problem at once', () => {
    const error = rejection({ model: 'doubao-seedream-4-5', seed: 1, guidance_scale: 2, tools: [{ type: 'web_search' }] });
    expect(error.violations.map((v) => v.field)).toEqual(['seed', 'guidance_scale', 'tools']);
    expect(error.message).toMatch(/\(and 2 more problems\)$/);
  });
});
