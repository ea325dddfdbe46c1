# Writes CIFAR "python version" fixtures the way the published files were written: Python 2
# cPickle, protocol 2, with NumPy arrays pickled by numpy's own __reduce__. NumPy is not needed:
# stand-in "numpy" modules give the same pickle opcodes (globals numpy.core.multiarray._reconstruct,
# numpy.ndarray, numpy.dtype; state tuples as numpy 1.x on Python 2 writes them).
#
#   PYENV_VERSION=2.7.18 python2 make_pickles_py2.py      (from this directory)
#
# Pixel (image i, channel c, pixel p) = (i*31 + c*101 + p*7 + seed) % 256, so tests can recompute it.
import os, sys, types, cPickle

np = types.ModuleType('numpy'); core = types.ModuleType('numpy.core'); mult = types.ModuleType('numpy.core.multiarray')
sys.modules.update({'numpy': np, 'numpy.core': core, 'numpy.core.multiarray': mult})
def _reconstruct(*a): pass
_reconstruct.__module__ = 'numpy.core.multiarray'
mult._reconstruct = _reconstruct
class ndarray(object): pass
ndarray.__module__ = 'numpy'
class dtype(object):
    def __init__(self, code): self.code = code
    def __reduce__(self): return (dtype, (self.code, 0, 1), (3, '|', None, None, None, -1, -1, 0))
dtype.__module__ = 'numpy'
np.ndarray = ndarray; np.dtype = dtype

class U8Array(object):
    def __init__(self, shape, raw): self.shape, self.raw = shape, raw
    def __reduce__(self): return (_reconstruct, (ndarray, (0,), 'b'), (1, self.shape, dtype('u1'), False, self.raw))

def images(n, seed):
    return U8Array((n, 3072), ''.join(chr((i * 31 + c * 101 + p * 7 + seed) % 256)
                                       for i in range(n) for c in range(3) for p in range(1024)))

def dump(path, obj):
    if not os.path.isdir(os.path.dirname(path)): os.makedirs(os.path.dirname(path))
    with open(path, 'wb') as f: cPickle.dump(obj, f, 2)

N = 2
names10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
for b in range(1, 6):
    dump('cifar-10-batches-py/data_batch_%d' % b, {'batch_label': 'training batch %d of 5' % b, 'labels': [(b + k) % 10 for k in range(N)],
         'data': images(N, b), 'filenames': ['img_%d_%d.png' % (b, k) for k in range(N)]})
dump('cifar-10-batches-py/test_batch', {'batch_label': 'testing batch 1 of 1', 'labels': [9, 0],
     'data': images(N, 0), 'filenames': ['t0.png', 't1.png']})
dump('cifar-10-batches-py/batches.meta', {'label_names': names10, 'num_cases_per_batch': 10000, 'num_vis': 3072})

dump('cifar-100-python/train', {'batch_label': 'training batch 1 of 1', 'fine_labels': [99, 0, 42], 'coarse_labels': [19, 4, 7],
     'data': images(3, 7), 'filenames': ['a.png', 'b.png', 'c.png']})
dump('cifar-100-python/test', {'batch_label': 'testing batch 1 of 1', 'fine_labels': [5, 98], 'coarse_labels': [1, 2],
     'data': images(2, 9), 'filenames': ['d.png', 'e.png']})
dump('cifar-100-python/meta', {'fine_label_names': ['fine%d' % k for k in range(100)],
     'coarse_label_names': ['coarse%d' % k for k in range(20)]})
