package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.tuneloop.llm.model.LlamaConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adapters kept resident for serving, chosen per sequence by a slot index (0 = no adapter) at every
 * forward pass. For each layer and projection the adapters' A and B are stacked as (slots, in * r)
 * and (slots, r * out), rank zero-padded to {@code maxRank} and the scaling folded into B, with
 * slot 0 all zeros; a {@link #select}ion gathers each sequence's rows with one embedding lookup per
 * matrix, once per batch. Adding or removing an adapter builds new stacks (copy-on-write); a {@link
 * Selection} keeps the stacks it started with until it is closed, so a running batch never sees
 * them change. Thread-safe.
 */
public final class ResidentAdapters implements AutoCloseable {
  private final LlamaConfig config;
  private final int maxRank;
  private final NDManager parent;
  private final List<LoraAdapter> slots = new ArrayList<>(); // index 0 unused: the base model
  private final Map<String, Integer> slotByName = new HashMap<>();
  private Stacks current;

  public ResidentAdapters(LlamaConfig config, int maxRank, NDManager parent) {
    this.config = config;
    this.maxRank = maxRank;
    this.parent = parent;
    slots.add(null);
    current = new Stacks(config, slots, maxRank, parent);
  }

  /**
   * Makes {@code adapter} resident under {@code name} (replacing one of that name) and returns its
   * slot.
   */
  public synchronized int put(String name, LoraAdapter adapter) {
    if (adapter.spec().r() > maxRank) {
      throw new IllegalArgumentException(
          "adapter '"
              + name
              + "' has rank "
              + adapter.spec().r()
              + ", above this set's maximum of "
              + maxRank);
    }
    Integer slot = slotByName.get(name);
    if (slot == null) {
      slot = firstFreeSlot();
      if (slot == slots.size()) {
        slots.add(adapter);
      } else {
        slots.set(slot, adapter);
      }
      slotByName.put(name, slot);
    } else {
      slots.set(slot, adapter);
    }
    rebuild();
    return slot;
  }

  private int firstFreeSlot() {
    for (int i = 1; i < slots.size(); i++) {
      if (slots.get(i) == null) {
        return i;
      }
    }
    return slots.size();
  }

  /** Frees the slot of {@code name}; running selections keep their stacks. */
  public synchronized void remove(String name) {
    Integer slot = slotByName.remove(name);
    if (slot != null) {
      slots.set(slot, null);
      rebuild();
    }
  }

  /** The slot of a resident adapter, or 0 (the base model) if {@code name} is null. */
  public synchronized int slot(String name) {
    if (name == null) {
      return 0;
    }
    Integer slot = slotByName.get(name);
    if (slot == null) {
      throw new IllegalArgumentException("adapter '" + name + "' is not resident");
    }
    return slot;
  }

  /**
   * A LoraSet for one batch: sequence n uses the adapter in {@code slotPerSequence[n]} (0 = none).
   * Close it.
   */
  public synchronized Selection select(int... slotPerSequence) {
    for (int slot : slotPerSequence) {
      if (slot < 0 || slot >= slots.size() || (slot > 0 && slots.get(slot) == null)) {
        throw new IllegalArgumentException("no adapter in slot " + slot);
      }
    }
    current.users++;
    return new Selection(current, slotPerSequence);
  }

  private void rebuild() {
    Stacks old = current;
    current = new Stacks(config, slots, maxRank, parent);
    retire(old);
  }

  private synchronized void retire(Stacks stacks) {
    stacks.retired = true;
    if (stacks.users == 0) {
      stacks.manager.close();
    }
  }

  private synchronized void release(Stacks stacks) {
    stacks.users--;
    if (stacks.retired && stacks.users == 0) {
      stacks.manager.close();
    }
  }

  @Override
  public synchronized void close() {
    retire(current);
  }

  /**
   * One batch's choice of adapters. Each wrapped projection's rows are gathered from the stacks the
   * first time a forward needs them and kept until the selection is closed: a decode step then adds
   * the updates with two matmuls and no gather, which matters for a model bound by per-operation
   * dispatch. The price is a batch-sized copy of the used stacks (at {@code maxRank}) while the
   * batch runs. Not thread-safe: one batch, one thread.
   */
  public final class Selection implements LoraSet, AutoCloseable {
    private final Stacks stacks;
    private final int[] slotPerSequence;
    private final boolean anyAdapter;
    private final NDManager gathered;
    private final NDArray[][] aSel; // [layer][target] (B, in, r), filled on first use
    private final NDArray[][] bSel; // [layer][target] (B, r, out)
    private boolean closed;

    private Selection(Stacks stacks, int[] slotPerSequence) {
      this.stacks = stacks;
      this.slotPerSequence = slotPerSequence.clone();
      boolean any = false;
      for (int slot : slotPerSequence) {
        any |= slot != 0;
      }
      this.anyAdapter = any;
      this.gathered = stacks.manager.newSubManager();
      this.aSel = new NDArray[config.layers()][LoraTarget.values().length];
      this.bSel = new NDArray[config.layers()][LoraTarget.values().length];
    }

    @Override
    public NDArray delta(int layer, LoraTarget target, NDArray input, boolean training) {
      int t = target.ordinal();
      if (!anyAdapter || stacks.a[layer][t] == null) {
        return null;
      }
      if (aSel[layer][t] == null) {
        long b = slotPerSequence.length;
        NDArray slots = input.getManager().create(toLong(slotPerSequence), new Shape(b));
        aSel[layer][t] =
            keep(gather(slots, stacks.a[layer][t]).reshape(b, target.inFeatures(config), maxRank));
        bSel[layer][t] =
            keep(gather(slots, stacks.b[layer][t]).reshape(b, maxRank, target.outFeatures(config)));
      }
      return input.matMul(aSel[layer][t]).matMul(bSel[layer][t]); // (B, T, out)
    }

    private static NDArray gather(NDArray slots, NDArray stack) {
      return slots
          .getNDArrayInternal()
          .embedding(slots, stack, SparseFormat.DENSE)
          .singletonOrThrow();
    }

    /** Takes an array made inside a forward's scope out of it, into this selection's keeping. */
    private NDArray keep(NDArray array) {
      NDScope.unregister(array);
      array.attach(gathered);
      return array;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        gathered.close();
        release(stacks);
      }
    }
  }

  private static long[] toLong(int[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /**
   * Stacked A^T and B^T * scaling of every slot, per layer and projection; null where no adapter
   * wraps it.
   */
  private static final class Stacks {
    final NDManager manager;
    final NDArray[][] a; // (slots, in * r)
    final NDArray[][] b; // (slots, r * out)
    int users;
    boolean retired;

    Stacks(LlamaConfig config, List<LoraAdapter> slots, int rank, NDManager parent) {
      manager = parent.newSubManager();
      a = new NDArray[config.layers()][LoraTarget.values().length];
      b = new NDArray[config.layers()][LoraTarget.values().length];
      int n = slots.size();
      for (int layer = 0; layer < config.layers(); layer++) {
        for (LoraTarget t : LoraTarget.values()) {
          int in = t.inFeatures(config);
          int out = t.outFeatures(config);
          float[] aStack = new float[n * in * rank];
          float[] bStack = new float[n * rank * out];
          boolean used = false;
          for (int s = 1; s < n; s++) {
            LoraAdapter adapter = slots.get(s);
            if (adapter == null || adapter.a(layer, t) == null) {
              continue;
            }
            used = true;
            stackTransposed(adapter, layer, t, in, out, rank, aStack, bStack, s);
          }
          if (used) {
            a[layer][t.ordinal()] = manager.create(aStack, new Shape(n, (long) in * rank));
            b[layer][t.ordinal()] = manager.create(bStack, new Shape(n, (long) rank * out));
          }
        }
      }
    }

    /**
     * Writes one adapter's A^T (in, rank) and B^T * scaling (rank, out) at row {@code n} of flat
     * stacks, zero-padding its rank up to {@code rank}.
     */
    private static void stackTransposed(
        LoraAdapter adapter,
        int layer,
        LoraTarget t,
        int in,
        int out,
        int rank,
        float[] aStack,
        float[] bStack,
        int n) {
      int r = adapter.spec().r();
      float scaling = adapter.spec().scaling();
      float[] a = adapter.a(layer, t).toFloatArray(); // (r, in)
      float[] b = adapter.b(layer, t).toFloatArray(); // (out, r)
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < in; j++) {
          aStack[(n * in + j) * rank + i] = a[i * in + j];
        }
        for (int o = 0; o < out; o++) {
          bStack[(n * rank + i) * out + o] = b[o * r + i] * scaling;
        }
      }
    }
  }
}
