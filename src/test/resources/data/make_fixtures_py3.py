# Writes the Python 3 / NumPy fixtures: CIFAR-style pickles in every protocol, and .npy files in
# format versions 1, 2 and 3. Run from this directory with each NumPy you want covered:
#
#   /usr/bin/python3 make_fixtures_py3.py     (Debian 12: NumPy 1.24, module numpy.core)
#   python3 make_fixtures_py3.py              (NumPy 2.x, module numpy._core; adds *_np2_* pickles)
#
# Pixel (image i, channel c, pixel p) = (i*31 + c*101 + p*7 + seed) % 256, as in make_pickles_py2.py.
import os, pickle
import numpy as np

major = int(np.__version__.split('.')[0])
os.makedirs('pickles', exist_ok=True)
os.makedirs('npy', exist_ok=True)

def images(n, seed):
    i, c, p = np.meshgrid(np.arange(n), np.arange(3), np.arange(1024), indexing='ij')
    return ((i * 31 + c * 101 + p * 7 + seed) % 256).astype(np.uint8).reshape(n, 3072)

batch = {'batch_label': 'fixture', 'labels': [3, 7], 'data': images(2, 5), 'filenames': ['x.png', 'y.png']}
for proto in range(0, 6):
    with open('pickles/cifar10_np%d_p%d.pkl' % (major, proto), 'wb') as f:
        pickle.dump(batch, f, protocol=proto)

if major == 1:
    # keys as bytes (what a Python 2 str key becomes when re-pickled from Python 3)
    with open('pickles/cifar10_bytes_keys_p2.pkl', 'wb') as f:
        pickle.dump({k.encode(): v for k, v in batch.items()}, f, protocol=2)
    # labels as an int64 array instead of a list
    with open('pickles/cifar10_labels_ndarray_p4.pkl', 'wb') as f:
        pickle.dump(dict(batch, labels=np.array([3, 7], dtype=np.int64)), f, protocol=4)
    # a pickle that would run a command: must be refused, never executed
    class Evil:
        def __reduce__(self):
            return (os.system, ('echo this must never run',))
    with open('pickles/evil_p2.pkl', 'wb') as f:
        pickle.dump({'data': Evil(), 'labels': [0]}, f, protocol=2)

    a = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)
    for v in [(1, 0), (2, 0), (3, 0)]:
        with open('npy/images_v%d.npy' % v[0], 'wb') as f:
            np.lib.format.write_array(f, a, version=v)
    np.save('npy/labels_i8.npy', np.array([0, 9, 5, 1], dtype='<i8'))
    np.save('npy/labels_i4.npy', np.array([0, 9, 5, 1], dtype='<i4'))
    np.save('npy/labels_u1.npy', np.array([0, 9, 5, 1], dtype='u1'))
    np.save('npy/labels_be_i4.npy', np.array([0, 9, 5, 1], dtype='>i4'))
    np.save('npy/fortran.npy', np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3)))
    np.save('npy/float_images.npy', np.zeros((1, 2, 2, 3), dtype=np.float32))
