import { ImportError } from '../import/errors.js';
import type { ShapeTable } from './family.js';

/**
 * Reads tensor shapes by name for a family's `config`, refusing a missing tensor with an
 * `IMPORT_TENSOR_MISSING` error that names the family and its published file.
 */
export function shapeReader(family: string, file: string) {
  const shapeOf = (shapes: ShapeTable, name: string): readonly number[] => {
    const shape = shapes.get(name);
    if (shape === undefined) {
      throw new ImportError(
        'IMPORT_TENSOR_MISSING',
        `The checkpoint has no tensor "${name}", which every ${family} checkpoint has. ` +
          `Check the file (${file}) or choose the right family with --from.`,
      );
    }
    return shape;
  };
  const dim = (shapes: ShapeTable, name: string, axis: number): number =>
    shapeOf(shapes, name)[axis] as number;
  return { shapeOf, dim };
}
