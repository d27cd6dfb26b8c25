import { describe, expect, it } from 'vitest';
import { categoriesFromAnnotations } from './annotations.js';

describe('categoriesFromAnnotations', () => {
  it.each([
    [undefined, ['delete', 'external_communication']],
    [{}, ['delete', 'external_communication']],
    [{ readOnlyHint: true, openWorldHint: false }, ['read']],
    [{ readOnlyHint: true }, ['read', 'external_communication']],
    [{ readOnlyHint: true, destructiveHint: true, openWorldHint: false }, ['read']],
    [{ destructiveHint: false, openWorldHint: false }, ['write']],
    [{ destructiveHint: true, openWorldHint: false }, ['delete']],
    [{ readOnlyHint: false, destructiveHint: false }, ['write', 'external_communication']],
  ])('%j → %j', (annotations, categories) => {
    expect(categoriesFromAnnotations(annotations)).toEqual(categories);
  });
});
