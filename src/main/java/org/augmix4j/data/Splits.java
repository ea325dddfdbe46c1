package org.augmix4j.data;

/** The train and test splits of one dataset. */
public record Splits(Dataset train, Dataset test) {
    public Splits {
        if (train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException("train has " + train.numClasses() + " classes, test has " + test.numClasses());
        }
    }

    public int numClasses() { return train.numClasses(); }
}
