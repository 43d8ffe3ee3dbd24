package dev.tuneloop.inference.serving;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.Generator;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Chat on the LLM core: renders the conversation with the adapter's template (tokenized exactly as training does),
 * generates with the core's {@link Generator}, and maps its results back to the contract.
 */
public final class LlmChatEngine implements ChatEngine {
    /** max_tokens when the request leaves it 0. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    private final Generator generator;
    private final Tokenizer tokenizer;
    private final ChatTemplateResolver templates;

    public LlmChatEngine(LoadedModel model, ChatTemplate modelTemplate) {
        this.generator = new Generator(model);
        this.tokenizer = model.tokenizer();
        this.templates = new ChatTemplateResolver(modelTemplate);
    }

    /** For a model without a template of its own (the built-in stories260K): the core's default for its vocabulary. */
    public static LlmChatEngine forModel(LoadedModel model) {
        return new LlmChatEngine(model, ChatTemplates.defaultFor(model.tokenizer()));
    }

    @Override
    public Outcome generate(List<ChatMessage> messages, String chatTemplate, SamplingParams params, LoraAdapter adapter,
                            TextListener onText, BooleanSupplier cancelled) {
        ChatTemplate template = templates.resolve(chatTemplate);
        int[] prompt = template.tokenizePrompt(toCore(messages), tokenizer);
        var sampling = toCore(params, template);
        GenerationResult result;
        try {
            // The core stops at the next token once its thread is interrupted; the listener interrupts on cancel.
            result = generator.generate(prompt, sampling, adapter == null ? LoraSet.NONE : adapter, (id, text) -> {
                if (!text.isEmpty()) {
                    onText.onText(text);
                }
                if (cancelled.getAsBoolean()) {
                    Thread.currentThread().interrupt();
                }
            });
        } finally {
            Thread.interrupted(); // the pool thread must not carry the flag to the next request
        }
        var usage = result.usage();
        return new Outcome(result.text(), finishReason(result.finishReason()), usage.promptTokens(),
                usage.completionTokens(), result.finishReason() == dev.tuneloop.llm.generate.FinishReason.CANCELLED);
    }

    private static List<dev.tuneloop.llm.chat.ChatMessage> toCore(List<ChatMessage> messages) {
        List<dev.tuneloop.llm.chat.ChatMessage> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            out.add(switch (m.getRole()) {
                case ROLE_SYSTEM -> dev.tuneloop.llm.chat.ChatMessage.system(m.getContent());
                case ROLE_USER -> dev.tuneloop.llm.chat.ChatMessage.user(m.getContent());
                case ROLE_ASSISTANT -> dev.tuneloop.llm.chat.ChatMessage.assistant(m.getContent());
                default -> throw new IllegalArgumentException("message role " + m.getRole() + " is not a chat role");
            });
        }
        return out;
    }

    /** The contract's zeros mean "default"; the template's end-of-turn markers stop generation too. */
    static dev.tuneloop.llm.generate.SamplingParams toCore(SamplingParams p, ChatTemplate template) {
        List<String> stops = new ArrayList<>(p.getStopList());
        template.stopSequences().stream().filter(s -> !stops.contains(s)).forEach(stops::add);
        long seed = p.hasSeed() ? p.getSeed() : ThreadLocalRandom.current().nextLong();
        return new dev.tuneloop.llm.generate.SamplingParams(
                p.getTemperature(),
                p.getTopK(),
                p.getTopP() == 0 ? 1f : p.getTopP(),
                p.getRepetitionPenalty() == 0 ? 1f : p.getRepetitionPenalty(),
                seed,
                p.getMaxTokens() == 0 ? DEFAULT_MAX_TOKENS : p.getMaxTokens(),
                stops,
                true);
    }

    private static FinishReason finishReason(dev.tuneloop.llm.generate.FinishReason reason) {
        return reason == dev.tuneloop.llm.generate.FinishReason.LENGTH
                ? FinishReason.FINISH_REASON_LENGTH : FinishReason.FINISH_REASON_STOP;
    }
}
