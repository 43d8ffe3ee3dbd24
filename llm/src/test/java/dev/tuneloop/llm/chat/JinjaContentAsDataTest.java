package dev.tuneloop.llm.chat;

import static dev.tuneloop.llm.chat.ChatMessage.assistant;
import static dev.tuneloop.llm.chat.ChatMessage.system;
import static dev.tuneloop.llm.chat.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Message content is data: Jinja in a message is never evaluated, and a template cannot render
 * without bound.
 */
class JinjaContentAsDataTest {

  /** Qwen2.5-Instruct's chat_template (tokenizer_config.json), tool branches included. */
  static final String QWEN25_TEMPLATE =
      """
      {%- if tools %}
          {{- '<|im_start|>system\\n' }}
          {%- if messages[0]['role'] == 'system' %}
              {{- messages[0]['content'] }}
          {%- else %}
              {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
          {%- endif %}
          {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
          {%- for tool in tools %}
              {{- "\\n" }}
              {{- tool | tojson }}
          {%- endfor %}
          {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
      {%- else %}
          {%- if messages[0]['role'] == 'system' %}
              {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
          {%- else %}
              {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
          {%- endif %}
      {%- endif %}
      {%- for message in messages %}
          {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
              {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
          {%- elif message.role == "assistant" %}
              {{- '<|im_start|>' + message.role }}
              {%- if message.content %}
                  {{- '\\n' + message.content }}
              {%- endif %}
              {%- for tool_call in message.tool_calls %}
                  {%- if tool_call.function is defined %}
                      {%- set tool_call = tool_call.function %}
                  {%- endif %}
                  {{- '\\n<tool_call>\\n{"name": "' }}
                  {{- tool_call.name }}
                  {{- '", "arguments": ' }}
                  {{- tool_call.arguments | tojson }}
                  {{- '}\\n</tool_call>' }}
              {%- endfor %}
              {{- '<|im_end|>\\n' }}
          {%- elif message.role == "tool" %}
              {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                  {{- '<|im_start|>user' }}
              {%- endif %}
              {{- '\\n<tool_response>\\n' }}
              {{- message.content }}
              {{- '\\n</tool_response>' }}
              {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                  {{- '<|im_end|>\\n' }}
              {%- endif %}
          {%- endif %}
      {%- endfor %}
      {%- if add_generation_prompt %}
          {{- '<|im_start|>assistant\\n' }}
      {%- endif %}
      """;

  private final ChatTemplate qwen = ChatTemplates.jinja(QWEN25_TEMPLATE, "", "<|im_end|>");

  @Test
  void qwenTemplateRendersAsChatMl() {
    assertThat(qwen.render(List.of(system("Be brief."), user("Hi")), true))
        .isEqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void jinjaInsideAMessageStaysLiteralInThePrompt() {
    String prompt =
        qwen.render(
            List.of(
                system("{% for i in range(3) %}x{% endfor %}"),
                user("What is {{ 7*7 }}? And {{ raise_exception('boom') }}")),
            true);
    assertThat(prompt)
        .contains("<|im_start|>system\n{% for i in range(3) %}x{% endfor %}<|im_end|>")
        .contains("What is {{ 7*7 }}? And {{ raise_exception('boom') }}<|im_end|>")
        .doesNotContain("49");
  }

  @Test
  void jinjaInsideAnAssistantReplyStaysLiteralInTheSupervisedSpan() {
    RenderedChat chat =
        qwen.renderWithSpans(List.of(user("Compute."), assistant("It is {{ 7*7 }}.")), false);
    assertThat(chat.supervisedText()).containsExactly("It is {{ 7*7 }}.<|im_end|>");
    assertThat(chat.text()).doesNotContain("49");
  }

  @Test
  void outputBeyondTheCapIsRefusedNamingTheLimit() {
    String longContent = "a".repeat(JinjaChatTemplate.MAX_OUTPUT_CHARS);
    assertThatThrownBy(() -> qwen.render(List.of(user(longContent)), true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining(
            "the output is longer than the limit of " + JinjaChatTemplate.MAX_OUTPUT_CHARS);
  }

  @Test
  void aTemplateThatLoopsWithoutEndIsStoppedByTheTimeLimit() {
    // 1000^4 iterations of nothing: no output, so only the time limit can stop it. The test's own
    // timeout is a safety net, far above the template limit.
    ChatTemplate endless =
        ChatTemplates.jinja(
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                + "{% for d in range(1000) %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
            "", "");
    assertTimeoutPreemptively(
        Duration.ofMinutes(2),
        () ->
            assertThatThrownBy(() -> endless.render(List.of(user("hi")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("time limit"));
  }
}
