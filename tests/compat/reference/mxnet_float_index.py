from mxnet import nd, np, npx
x = nd.arange(12).reshape((3, 4))
print(x[nd.array([0, 2])])
print(x[nd.array([2.7, 0.2])])  # rows 2 and 0: float indices are truncated
x[nd.array([1.0])] = 0
print(x)
npx.set_np()
y = np.arange(12).reshape(3, 4)
print(y[np.array([0., 2.])])
