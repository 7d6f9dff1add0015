package dev.parley.realtime;

import org.springframework.context.ConfigurableApplicationContext;

/** Test hook for tests outside this package: stop a node as a killed process would (no goodbye). */
public final class NodeKill {
    private NodeKill() {}

    public static void crash(ConfigurableApplicationContext node) {
        node.getBean(SocketGateway.class).crash();
    }
}
