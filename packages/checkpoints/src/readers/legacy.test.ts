import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './open.js';
import { EXPECTED, FIXTURES, expectTensor } from './test-utils/fixtures.js';

describe('legacy (pre-1.6, non-zip) torch.save files', () => {
  it('reads {model: state_dict} with int64 buffers, strided fp32 and fp16 views', async () => {
    const reader = await openCheckpoint(`${FIXTURES}legacy.pt`);
    expect(reader.format).toBe('torch-legacy');
    const tensors = EXPECTED.files['legacy.pt']!.tensors;
    expect(reader.names()).toEqual(Object.keys(tensors));
    for (const [name, want] of Object.entries(tensors)) await expectTensor(reader, name, want);
    await reader.close();
  });

  it('reads one tensor without the others', async () => {
    const reader = await openCheckpoint(`${FIXTURES}legacy.pt`, { root: 'auto' });
    expect(reader.root).toBe('model');
    const index = reader.bytesRead;
    await reader.read('fc.bias');
    // The storage's 8-byte element count, then the 3 floats of the bias.
    expect(reader.bytesRead - index).toBe(8 + 3 * 4);
    await reader.close();
  });
});
