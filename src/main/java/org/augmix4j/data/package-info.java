/**
 * Datasets: readers for CIFAR-10/100 (binary and python versions), CIFAR-10-C/100-C {@code .npy}
 * files, Fashion-MNIST/MNIST IDX files, and the built-in synthetic set; every reader validates what
 * it reads and fails with the file, the problem and the fix. {@link org.augmix4j.data.Datasets} is
 * the CLI's entry point; {@link org.augmix4j.data.Dataset} is what every reader returns (32x32 RGB
 * uint8 NHWC with int labels). Where each dataset goes on disk: {@code data/README.md}.
 */
package org.augmix4j.data;
