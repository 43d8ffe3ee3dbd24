package dev.tuneloop.inference.serving;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template a request is rendered with: the one its adapter was trained with (recorded by name
 * in AdapterPublished.chat_template), else the base model's own. Training and serving must agree,
 * so a name that is neither a built-in nor the model's own template is reported once and falls back
 * to the model's.
 */
public final class ChatTemplateResolver {
  private static final Logger LOG = LoggerFactory.getLogger(ChatTemplateResolver.class);

  private final ChatTemplate modelDefault;
  private final Map<String, ChatTemplate> byName = new ConcurrentHashMap<>();

  public ChatTemplateResolver(ChatTemplate modelDefault) {
    this.modelDefault = modelDefault;
  }

  public ChatTemplate modelDefault() {
    return modelDefault;
  }

  public ChatTemplate resolve(String name) {
    if (name == null || name.isBlank() || name.equals(modelDefault.name())) {
      return modelDefault;
    }
    return byName.computeIfAbsent(
        name,
        n -> {
          if (ChatTemplates.BUILTIN_NAMES.contains(n.toLowerCase(java.util.Locale.ROOT))) {
            return ChatTemplates.named(n);
          }
          LOG.warn(
              "adapter chat template '{}' is neither built in {} nor the base model's '{}'; serving with the "
                  + "base model's",
              n,
              ChatTemplates.BUILTIN_NAMES,
              modelDefault.name());
          return modelDefault;
        });
  }
}
