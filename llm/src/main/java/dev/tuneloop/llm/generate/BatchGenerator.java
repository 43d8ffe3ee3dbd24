package dev.tuneloop.llm.generate;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.ResidentAdapters;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Generates for several requests at once in one {@link DecodeSession}: one prefill of the
 * left-padded prompts, then one step per token for the whole batch, each sequence with its own
 * adapter (a {@link ResidentAdapters} slot), sampler, stop sequences, budget and listener. Each
 * sequence decides its tokens exactly as {@link Generator} would alone (the same {@link
 * Continuation} logic); a finished sequence stops emitting and its row rides along until the last
 * one ends. A small model is bound by per-operation dispatch, so a step of B sequences costs about
 * one of a single sequence. Static batching: requests cannot join a running batch. A sequence never
 * gets less room because of a longer prompt beside it: such requests go to separate groups, decoded
 * one after another. Thread-safe: each call has its own session.
 */
public final class BatchGenerator {
  private final LlamaModel model;
  private final Tokenizer tokenizer;

  public BatchGenerator(LlamaModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  public BatchGenerator(LoadedModel loaded) {
    this(loaded.model(), loaded.tokenizer());
  }

  /**
   * Generates every request's continuation; results are in request order, and each is exactly what
   * {@link Generator} gives that request alone. Prompts are left-padded to the longest of a batch,
   * so a long prompt leaves a short one beside it less room; requests that would not get their
   * whole budget together are decoded in separate groups, one after another (see {@link
   * #fittingGroups}). Interrupting the thread cancels every sequence; a listener that throws fails
   * the whole batch.
   *
   * @param adapters where the requests' adapter slots point; null when every request uses the base
   *     model (slot 0)
   * @throws IllegalArgumentException for a prompt that is empty or does not fit the context, before
   *     anything is decoded
   */
  public List<GenerationResult> generate(List<BatchRequest> requests, ResidentAdapters adapters) {
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one request");
    }
    int context = model.config().maxSeqLen();
    int[] budgets = new int[requests.size()];
    for (int i = 0; i < budgets.length; i++) {
      BatchRequest request = requests.get(i);
      budgets[i] = Continuation.budget(request.prompt(), request.params(), context);
    }
    GenerationResult[] results = new GenerationResult[requests.size()];
    for (List<Integer> group : fittingGroups(requests, budgets, context)) {
      List<BatchRequest> members = group.stream().map(requests::get).toList();
      List<Integer> memberBudgets = group.stream().map(i -> budgets[i]).toList();
      List<GenerationResult> groupResults = generateTogether(members, memberBudgets, adapters);
      for (int k = 0; k < group.size(); k++) {
        results[group.get(k)] = groupResults.get(k);
      }
    }
    return List.of(results);
  }

  /**
   * Splits a batch (indices in request order within each group) so that in every group each
   * sequence keeps the budget it has alone. A sequence with budget b needs {@code longest prompt +
   * b - 1 <= context} (its last token is never fed back), i.e. it tolerates prompts up to its
   * "room" {@code context + 1 - b} beside it. Greedy, tightest room first: the request with the
   * least room takes every remaining request whose prompt fits that room; it has the least room of
   * its group, so the whole group fits.
   */
  static List<List<Integer>> fittingGroups(
      List<BatchRequest> requests, int[] budgets, int context) {
    List<Integer> remaining = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      remaining.add(i);
    }
    remaining.sort(Comparator.comparingInt(i -> context + 1 - budgets[i]));
    List<List<Integer>> groups = new ArrayList<>();
    while (!remaining.isEmpty()) {
      int room = context + 1 - budgets[remaining.getFirst()];
      List<Integer> group = new ArrayList<>();
      for (Integer i : remaining) {
        if (requests.get(i).prompt().length <= room) {
          group.add(i);
        }
      }
      remaining.removeAll(group);
      group.sort(Comparator.naturalOrder());
      groups.add(group);
    }
    return groups;
  }

  /** One session for requests that all keep their budgets beside each other. */
  private List<GenerationResult> generateTogether(
      List<BatchRequest> requests, List<Integer> budgets, ResidentAdapters adapters) {
    int n = requests.size();
    int[][] prompts = new int[n][];
    int[] slots = new int[n];
    int longest = 0;
    for (int i = 0; i < n; i++) {
      prompts[i] = requests.get(i).prompt();
      slots[i] = requests.get(i).adapterSlot();
      longest = Math.max(longest, prompts[i].length);
    }
    int sessionLength = longest;
    List<Continuation> continuations = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int budget = budgets.get(i);
      sessionLength = Math.max(sessionLength, longest + budget - 1); // <= context (fittingGroups)
      BatchRequest request = requests.get(i);
      continuations.add(
          new Continuation(
              request.prompt(), request.params(), budget, tokenizer, request.listener()));
    }
    ResidentAdapters.Selection selection = select(adapters, slots); // null: the base model
    try (selection;
        DecodeSession session =
            model.newSession(n, sessionLength, selection == null ? LoraSet.NONE : selection)) {
      decode(requests, continuations, session, prompts);
    }
    return continuations.stream().map(Continuation::finish).toList();
  }

  private static void decode(
      List<BatchRequest> requests,
      List<Continuation> continuations,
      DecodeSession session,
      int[][] prompts) {
    float[][] logits = session.prefill(prompts);
    int[] next = new int[prompts.length];
    while (true) {
      boolean interrupted = Thread.currentThread().isInterrupted();
      int live = 0;
      for (int i = 0; i < next.length; i++) {
        Continuation c = continuations.get(i);
        if (c.done()) {
          continue; // its row repeats its last token; the logits are ignored
        }
        if (interrupted || requests.get(i).cancelled().getAsBoolean()) {
          c.cancel();
        } else {
          next[i] = c.advance(logits[i]);
        }
        if (c.done()) {
          c.finish(); // releases held-back text now, not when the batch ends
        } else {
          live++;
        }
      }
      if (live == 0) {
        return;
      }
      logits = session.step(next);
    }
  }

  private static ResidentAdapters.Selection select(ResidentAdapters adapters, int[] slots) {
    if (adapters != null) {
      return adapters.select(slots);
    }
    for (int slot : slots) {
      if (slot != 0) {
        throw new IllegalArgumentException(
            "adapter slot " + slot + " requested but no resident adapters given");
      }
    }
    return null;
  }
}
