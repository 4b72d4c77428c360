"""DistributedSampler: PyTorch's shares, padding and drop_last; shuffles agree across ranks."""

import pytest
from torch.utils.data.distributed import DistributedSampler as TorchSampler

import bricks
from bricks.utils.data import DataLoader, TensorDataset
from bricks.utils.data.distributed import DistributedSampler


@pytest.mark.parametrize("n", [0, 1, 5, 10, 11])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_shares_equal_torch(n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)


@pytest.mark.parametrize("drop_last", [False, True])
def test_shuffled_shares_are_disjoint_cover_the_data_and_change_with_the_epoch(drop_last):
    n, replicas = 23, 4
    samplers = [DistributedSampler(range(n), replicas, r, seed=7, drop_last=drop_last)
                for r in range(replicas)]
    orders = []
    for epoch in (0, 1):
        for s in samplers:
            s.set_epoch(epoch)
        shares = [list(s) for s in samplers]
        assert all(len(share) == len(samplers[0]) for share in shares)
        flat = [i for share in shares for i in share]
        if drop_last:
            assert len(flat) == len(set(flat)) == 20
        else:
            assert set(flat) == set(range(n)) and len(flat) == 24
        orders.append(flat)
        # Another sampler with the same seed and epoch (another rank's view) agrees.
        again = DistributedSampler(range(n), replicas, 0, seed=7, drop_last=drop_last)
        again.set_epoch(epoch)
        assert list(again) == shares[0]
    assert orders[0] != orders[1]


def test_a_rank_outside_the_group_is_refused_as_torch():
    for cls in (DistributedSampler, TorchSampler):
        with pytest.raises(ValueError, match="Invalid rank 2"):
            cls(range(4), num_replicas=2, rank=2)


def test_without_a_process_group_the_sampler_asks_for_one():
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))


def test_a_loader_with_the_sampler_yields_the_rank_share_in_batches():
    data = TensorDataset(bricks.arange(10))
    sampler = DistributedSampler(data, num_replicas=2, rank=1, shuffle=False)
    batches = [b[0].tolist() for b in DataLoader(data, batch_size=2, sampler=sampler)]
    assert batches == [[1, 3], [5, 7], [9]]
