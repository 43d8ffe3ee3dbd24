package dev.tuneloop.platform.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test method, constructor or lifecycle method an {@link Infra} parameter: a shared Kafka
 * broker and S3 server (one per JVM) with names unique to the test. Use it through {@link
 * WithInfra}.
 */
public final class InfraExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Infra.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    String name =
        context
            .getTestMethod()
            .map(m -> m.getName())
            .orElseGet(() -> context.getRequiredTestClass().getSimpleName());
    return Infra.forTest(name);
  }
}
