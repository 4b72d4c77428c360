"""DistributedDataParallel and SyncBatchNorm on 2 processes (one launch for all cases)."""

import pytest
from _launch import mpi_run, passed

from bricks import nn
from bricks.nn.parallel import DistributedDataParallel

CASES = ["mlp_sgd_many_buckets", "mlp_adam_one_bucket_as_views", "cnn_sync_batchnorm",
         "tied_layer", "unused_branches", "unused_without_the_option_raises",
         "no_sync_accumulation", "state_dict_has_module_prefix", "checkpoint_resume",
         "sampler_covers_each_sample_once_per_epoch",
         "sync_batchnorm_unequal_batches_equal_batchnorm_on_the_whole_batch"]


def test_ddp_replicas_are_identical_and_equal_single_process_training_on_2_processes():
    result = mpi_run(2, "_ddp_cases.py", *CASES)
    passed(result, 2, CASES)


def test_ddp_without_a_process_group_says_what_to_call():
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedDataParallel(nn.Linear(2, 2))
