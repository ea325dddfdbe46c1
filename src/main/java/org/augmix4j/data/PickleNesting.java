package org.augmix4j.data;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The nesting check {@link Pickle} runs on what it unpickled: containers (lists, tuples, dicts,
 * sets) nested at most {@code maxDepth} deep and no container inside itself. It walks the object
 * graph with an explicit stack, each container once, so neither a deep nor a self-referencing nor
 * a heavily shared pickle can overflow the Java stack or take exponential time here, and nothing
 * later (toString, equals) can either.
 */
final class PickleNesting {
    /** Why the limits exist, for messages. */
    static final String WHY = "dataset pickles nest containers only a few levels deep, so this file is damaged or not a dataset";

    private PickleNesting() {}

    /** One container being walked: its children still to visit and the deepest child seen so far. */
    private static final class Frame {
        final Object node;
        final Iterator<?> children;
        int deepest;

        Frame(Object node) {
            this.node = node;
            this.children = children(node);
        }
    }

    static void check(Path file, Object root, int maxDepth) {
        if (!isContainer(root)) return;
        IdentityHashMap<Object, Integer> depth = new IdentityHashMap<>();
        IdentityHashMap<Object, Boolean> onPath = new IdentityHashMap<>();
        Deque<Frame> path = new ArrayDeque<>();
        path.push(new Frame(root));
        onPath.put(root, true);
        while (!path.isEmpty()) {
            Frame f = path.peek();
            if (f.children.hasNext()) {
                Object c = f.children.next();
                if (!isContainer(c)) continue;
                Integer known = depth.get(c);
                if (known != null) {
                    f.deepest = Math.max(f.deepest, known);
                } else if (onPath.containsKey(c)) {
                    throw DataException.badFile(file, "the pickle holds a container that contains itself; " + WHY);
                } else {
                    if (path.size() >= maxDepth) {
                        throw DataException.badFile(file, "the pickle nests containers more than " + maxDepth + " levels deep; " + WHY);
                    }
                    path.push(new Frame(c));
                    onPath.put(c, true);
                }
            } else {
                path.pop();
                onPath.remove(f.node);
                int d = f.deepest + 1;
                depth.put(f.node, d);
                if (!path.isEmpty()) path.peek().deepest = Math.max(path.peek().deepest, d);
            }
        }
    }

    private static boolean isContainer(Object o) { return o instanceof Collection<?> || o instanceof Map<?, ?>; }

    private static Iterator<?> children(Object o) {
        if (o instanceof Map<?, ?> m) return m.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).iterator();
        return ((Collection<?>) o).iterator();
    }
}
