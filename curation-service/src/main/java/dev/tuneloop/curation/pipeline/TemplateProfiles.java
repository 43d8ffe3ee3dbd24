package dev.tuneloop.curation.pipeline;

import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.curation.rules.TemplateProfile;
import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.chat.Role;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import dev.tuneloop.proto.v1.ChatMessageOrBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token counting and template markers from the llm module: an example is rendered with the
 * dataset's chat template exactly as the trainer will render it ({@code tokenizeForTraining}) and
 * counted with the base model's tokenizer.
 */
public final class TemplateProfiles {

  private final Tokenizer tokenizer;
  private final Map<String, TemplateProfile> byTemplate = new ConcurrentHashMap<>();

  public TemplateProfiles(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public TemplateProfile forPolicy(CurationPolicy policy) {
    return byTemplate.computeIfAbsent(policy.chatTemplate(), this::profile);
  }

  private TemplateProfile profile(String name) {
    ChatTemplate template =
        name.isBlank() ? ChatTemplates.defaultFor(tokenizer) : ChatTemplates.named(name);
    List<String> delimiters = new ArrayList<>(template.delimiters().strings());
    delimiters.add(tokenizer.bosToken());
    delimiters.add(tokenizer.eosToken());
    boolean hashHeaders = delimiters.stream().anyMatch(d -> d.startsWith("###"));
    return new TemplateProfile(
        template.name(),
        messages -> template.tokenizeForTraining(toLlm(messages), tokenizer, false).length(),
        delimiters,
        hashHeaders);
  }

  /**
   * The contract's messages as the llm module's namesakes: the one mapping between the two in this
   * module (the contract's side through its generated {@code ChatMessageOrBuilder}).
   */
  static List<ChatMessage> toLlm(List<? extends ChatMessageOrBuilder> messages) {
    return messages.stream()
        .map(
            m ->
                new ChatMessage(
                    switch (m.getRole()) {
                      case ROLE_SYSTEM -> Role.SYSTEM;
                      case ROLE_ASSISTANT -> Role.ASSISTANT;
                      default -> Role.USER;
                    },
                    m.getContent()))
        .toList();
  }
}
