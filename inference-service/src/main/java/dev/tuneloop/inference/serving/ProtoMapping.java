package dev.tuneloop.inference.serving;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.SamplingParams;
import dev.tuneloop.proto.v1.ChatMessageOrBuilder;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.SamplingParamsOrBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place where the contract's types meet their LLM-core namesakes ({@code ChatMessage},
 * {@code SamplingParams}, {@code FinishReason}). The core's are imported here; the contract's are
 * reached through their generated {@code ...OrBuilder} interfaces, or, for the finish reason, the
 * core's result, so that neither needs a fully qualified name.
 */
public final class ProtoMapping {

  private ProtoMapping() {}

  /** The conversation as the core's chat messages; a role that is not a chat role is refused. */
  public static List<ChatMessage> messages(List<? extends ChatMessageOrBuilder> messages) {
    List<ChatMessage> out = new ArrayList<>(messages.size());
    for (ChatMessageOrBuilder m : messages) {
      out.add(
          switch (m.getRole()) {
            case ROLE_SYSTEM -> ChatMessage.system(m.getContent());
            case ROLE_USER -> ChatMessage.user(m.getContent());
            case ROLE_ASSISTANT -> ChatMessage.assistant(m.getContent());
            default ->
                throw new IllegalArgumentException(
                    "message role " + m.getRole() + " is not a chat role");
          });
    }
    return out;
  }

  /**
   * The contract's zeros mean "default"; the template's end-of-turn markers stop generation too.
   */
  public static SamplingParams sampling(SamplingParamsOrBuilder p, ChatTemplate template) {
    List<String> stops = new ArrayList<>(p.getStopList());
    template.stopSequences().stream().filter(s -> !stops.contains(s)).forEach(stops::add);
    long seed = p.hasSeed() ? p.getSeed() : ThreadLocalRandom.current().nextLong();
    return new SamplingParams(
        p.getTemperature(),
        p.getTopK(),
        p.getTopP() == 0 ? 1f : p.getTopP(),
        p.getRepetitionPenalty() == 0 ? 1f : p.getRepetitionPenalty(),
        seed,
        p.getMaxTokens() == 0 ? LlmChatEngine.DEFAULT_MAX_TOKENS : p.getMaxTokens(),
        stops,
        true);
  }

  /** LENGTH when the token budget or the context ran out; STOP for every other ending. */
  public static FinishReason finishReason(GenerationResult result) {
    return switch (result.finishReason()) {
      case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
      default -> FinishReason.FINISH_REASON_STOP;
    };
  }
}
