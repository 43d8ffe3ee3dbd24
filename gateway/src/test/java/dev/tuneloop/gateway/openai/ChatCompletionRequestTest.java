package dev.tuneloop.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.gateway.api.ApiException;
import dev.tuneloop.gateway.api.JsonBodies;
import dev.tuneloop.proto.v1.Role;
import org.junit.jupiter.api.Test;

class ChatCompletionRequestTest {

  private static ChatCompletionRequest parse(String json) {
    return ChatCompletionRequest.parse(JsonBodies.parse(json), "acme", "req-1");
  }

  @Test
  void mapsModelMessagesAndSamplingOntoTheInferenceRequest() {
    ChatCompletionRequest parsed =
        parse(
            """
                {"model": "support@v2", "stream": true, "temperature": 0.7, "top_p": 0.9, "max_tokens": 40,
                 "seed": 7, "stop": ["\\n\\n"], "user": "ignored",
                 "messages": [{"role": "system", "content": "Be brief."},
                              {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "!"}]}]}
                """);

    assertThat(parsed.stream()).isTrue();
    assertThat(parsed.model()).isEqualTo("support@v2");
    var request = parsed.request();
    assertThat(request.getTenant()).isEqualTo("acme");
    assertThat(request.getAdapter()).isEqualTo("support@v2");
    assertThat(request.getMessagesList())
        .extracting(m -> m.getRole())
        .containsExactly(Role.ROLE_SYSTEM, Role.ROLE_USER);
    assertThat(request.getMessages(1).getContent()).isEqualTo("Hi!");
    assertThat(request.getSampling().getTemperature()).isEqualTo(0.7f);
    assertThat(request.getSampling().getTopP()).isEqualTo(0.9f);
    assertThat(request.getSampling().getMaxTokens()).isEqualTo(40);
    assertThat(request.getSampling().getSeed()).isEqualTo(7L);
    assertThat(request.getSampling().getStopList()).containsExactly("\n\n");
  }

  @Test
  void baseModelMeansNoAdapterAndMissingTemperatureMeansGreedy() {
    var request =
        parse("{\"model\": \"base\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");

    assertThat(request.stream()).isFalse();
    assertThat(request.request().getAdapter()).isEmpty();
    assertThat(request.request().getSampling().getTemperature()).isZero();
    assertThat(request.request().getSampling().hasSeed()).isFalse();
  }

  @Test
  void badFieldsAreRefusedNamingTheField() {
    assertBad(
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "model",
        "model: is required");
    assertBad("{\"model\": \"base\", \"messages\": []}", "messages", "non-empty array");
    assertBad(
        "{\"model\": \"base\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}",
        "messages[0].role",
        "not \"robot\"");
    assertBad(
        "{\"model\": \"base\", \"messages\": [{\"role\": \"user\", \"content\": 5}]}",
        "messages[0].content",
        "string");
    assertBad(
        "{\"model\": \"base\", \"temperature\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "temperature",
        "from 0.0 to 2.0");
    assertBad(
        "{\"model\": \"base\", \"max_tokens\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "max_tokens",
        "at least 1");
    assertBad(
        "{\"model\": \"base\", \"stream\": \"yes\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "stream",
        "true or false");
    assertBad(
        "{\"model\": \"base\", \"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "n",
        "not supported above 1");
  }

  @Test
  void anAdapterNameOutsideTheSharedRuleIsRefusedBeforeInferenceIsAsked() {
    assertBad(
        "{\"model\": \"../x@v1\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "model",
        "adapter name '../x' must be 1-64 characters");
    assertBad(
        "{\"model\": \""
            + "m".repeat(65)
            + "\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        "model",
        "must be 1-64 characters");
  }

  @Test
  void optionsThePlatformCannotHonourAreRefusedNamingTheField() {
    String chat = "\"model\": \"base\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]";
    for (String option :
        new String[] {
          "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]",
          "\"tool_choice\": \"auto\"",
          "\"response_format\": {\"type\": \"json_object\"}",
          "\"logprobs\": true",
          "\"top_logprobs\": 3",
          "\"functions\": [{\"name\": \"f\"}]",
          "\"function_call\": \"auto\"",
          "\"logit_bias\": {\"50256\": -100}",
          "\"presence_penalty\": 0.5",
          "\"audio\": {\"voice\": \"alloy\"}",
          "\"not_an_openai_field\": 1"
        }) {
      String field = option.substring(1, option.indexOf('"', 1));
      assertBad("{" + chat + ", " + option + "}", field, "is not supported by this server");
    }
  }

  @Test
  void defaultValuesOfUnsupportedOptionsAndBookkeepingFieldsAreAccepted() {
    // What SDKs send when the caller set nothing: harmless, so accepted.
    ChatCompletionRequest parsed =
        parse(
            """
                {"model": "base", "messages": [{"role": "user", "content": "x"}], "n": 1,
                 "logprobs": false, "tools": [], "tool_choice": "none", "presence_penalty": 0,
                 "frequency_penalty": 0, "response_format": {"type": "text"}, "top_logprobs": null,
                 "user": "u-1", "store": false, "stream_options": {"include_usage": true}}
                """);
    assertThat(parsed.model()).isEqualTo("base");
  }

  @Test
  void malformedJsonSaysWhereItBroke() {
    assertThatThrownBy(() -> JsonBodies.parse("{\"model\": \"base\",\n \"messages\": [}"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("Malformed JSON at line 2");
  }

  private static void assertBad(String json, String field, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status().getCode()).isEqualTo(400);
              assertThat(e.param()).isEqualTo(field);
            })
        .hasMessageContaining(message);
  }
}
