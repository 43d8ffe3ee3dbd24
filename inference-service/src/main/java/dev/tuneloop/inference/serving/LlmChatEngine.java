package dev.tuneloop.inference.serving;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.generate.BatchGenerator;
import dev.tuneloop.llm.generate.BatchRequest;
import dev.tuneloop.llm.generate.FinishReason;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.TokenListener;
import dev.tuneloop.llm.lora.ResidentAdapters;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat on the LLM core: renders the conversation with the adapter's template (tokenized exactly as
 * training does), generates a batch with the core's {@link BatchGenerator} (each sequence through
 * its adapter's resident slot), and maps the results back to the contract ({@link ProtoMapping}).
 */
public final class LlmChatEngine implements ChatEngine {
  /** max_tokens when the request leaves it 0. */
  public static final int DEFAULT_MAX_TOKENS = 256;

  private static final Logger LOG = LoggerFactory.getLogger(LlmChatEngine.class);

  private final BatchGenerator generator;
  private final Tokenizer tokenizer;
  private final int context;
  private final ChatTemplateResolver templates;
  private final ResidentAdapters slots;

  /**
   * @param slots where served adapters are resident (their slots index it); null to serve the base
   *     model only
   */
  public LlmChatEngine(LoadedModel model, ChatTemplate modelTemplate, ResidentAdapters slots) {
    this.generator = new BatchGenerator(model);
    this.tokenizer = model.tokenizer();
    this.context = model.config().maxSeqLen();
    this.templates = new ChatTemplateResolver(modelTemplate);
    this.slots = slots;
  }

  /**
   * For a model without a template of its own (the built-in stories260K): the core's default for
   * its vocabulary.
   */
  public static LlmChatEngine forModel(LoadedModel model, ResidentAdapters slots) {
    return new LlmChatEngine(model, ChatTemplates.defaultFor(model.tokenizer()), slots);
  }

  @Override
  public Prompt prepare(List<ChatMessage> messages, String chatTemplate, SamplingParams params) {
    ChatTemplate template = templates.resolve(chatTemplate);
    int[] tokens = template.tokenizePrompt(ProtoMapping.messages(messages), tokenizer);
    if (tokens.length >= context) {
      throw new IllegalArgumentException(
          "prompt has "
              + tokens.length
              + " tokens; it must have 1 to "
              + (context - 1)
              + " for this model's context of "
              + context);
    }
    return new Prompt(tokens, ProtoMapping.sampling(params, template));
  }

  @Override
  public List<Outcome> generate(List<Generation> batch) {
    List<BatchRequest> requests = new ArrayList<>(batch.size());
    for (Generation g : batch) {
      AtomicBoolean listenerFailed = new AtomicBoolean();
      requests.add(
          new BatchRequest(
              g.prompt().tokens(),
              g.prompt().sampling(),
              g.adapterSlot(),
              isolated(g.onText(), listenerFailed),
              () -> listenerFailed.get() || g.cancelled().getAsBoolean()));
    }
    List<GenerationResult> results = generator.generate(requests, slots);
    List<Outcome> outcomes = new ArrayList<>(results.size());
    for (GenerationResult result : results) {
      var usage = result.usage();
      outcomes.add(
          new Outcome(
              result.text(),
              ProtoMapping.finishReason(result),
              usage.promptTokens(),
              usage.completionTokens(),
              result.finishReason() == FinishReason.CANCELLED));
    }
    return outcomes;
  }

  /**
   * Passes non-empty text on; a listener that fails (its client is gone) cancels its own generation
   * at the next token instead of failing the batch.
   */
  private static TokenListener isolated(TextListener onText, AtomicBoolean failed) {
    return (id, text) -> {
      if (text.isEmpty() || failed.get()) {
        return;
      }
      try {
        onText.onText(text);
      } catch (RuntimeException e) {
        failed.set(true);
        LOG.debug("a generation's listener failed; cancelling it", e);
      }
    };
  }
}
