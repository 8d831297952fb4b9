/**
 * A Level 1 Q/P field list (the tape's, or one a client selected), with a stable identity so
 * projections between two lists are built once and reused for every line.
 */
export class FieldList {
  private static nextId = 1;
  readonly id: number;
  readonly names: readonly string[];
  /** `names.join(',')`: equal lists have equal keys. */
  readonly key: string;
  private readonly index: ReadonlyMap<string, number>;

  constructor(names: readonly string[]) {
    this.id = FieldList.nextId++;
    this.names = names;
    this.key = names.join(',');
    const index = new Map<string, number>();
    names.forEach((n, i) => {
      if (!index.has(n)) index.set(n, i);
    });
    this.index = index;
  }

  indexOf(name: string): number {
    return this.index.get(name) ?? -1;
  }

  sameAs(other: FieldList): boolean {
    return this === other || this.key === other.key;
  }
}

/** The fields of a Q/P/F line after its type char, without the trailing empty one. */
export function lineFields(line: string): string[] {
  const fields = line.split(',');
  fields.shift();
  if (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
  return fields;
}
