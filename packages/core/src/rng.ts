/** The serialisable state of an {@link Rng}: four 32-bit words. */
export type RngState = readonly [number, number, number, number];

/**
 * A small, fast, seeded random number generator (sfc32) whose state can be saved and restored,
 * so that training runs are reproducible and resumable. Every clapjs package that draws random
 * numbers takes one of these instead of calling Math.random.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  /** @param seed any integer; the same seed always gives the same sequence */
  constructor(seed: number) {
    if (!Number.isFinite(seed))
      throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = Math.trunc(seed) >>> 0;
    this.b ^= Math.floor(seed / 2 ** 32) >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform float in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box-Muller, one spare kept). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u = this.next();
    while (u <= Number.EPSILON) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Picks one element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick needs a non-empty array');
    return items[this.int(items.length)] as T;
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** Fills a new Float32Array with normal samples. */
  normalArray(length: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Fills a new Float32Array with uniform samples in [low, high). */
  uniformArray(length: number, low: number, high: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /**
   * An independent generator derived from this one's current state and a label, so that parts
   * (e.g. each layer's initialiser) get their own stream without disturbing each other.
   */
  fork(label: string): Rng {
    let hash = 2166136261;
    for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 16777619);
    const child = new Rng(0);
    child.setState([this.a ^ hash, this.b, this.c ^ (hash >>> 0), this.d] as RngState);
    for (let i = 0; i < 15; i++) child.nextUint32();
    return child;
  }

  /**
   * Moves this generator onto its own {@link fork} labelled `label` (what a part's `reseed`
   * does), so copies that share a state continue on different streams.
   */
  reseed(label: string): void {
    this.setState(this.fork(label).getState());
  }

  /** The current state, to save with a checkpoint. */
  getState(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** Restores a state from {@link getState}. */
  setState(state: RngState): void {
    [this.a, this.b, this.c, this.d] = state.map((x) => x >>> 0) as unknown as RngState;
    this.spareNormal = undefined;
  }
}
