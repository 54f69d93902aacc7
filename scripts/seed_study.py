"""Train the week 4 sunspot networks with several seeds and record their validation MAE.

One training run is one draw: its validation error depends on the random start and the shuffling. The week 4
labs train each model once, with one seed, to stay within their time budget; this script measures the spread
over seeds, against the least-squares linear model over the same window, and writes a JSON record that
Lab 3 reads, asserts and glues.

    python scripts/seed_study.py lab3 --seeds 5     # the Conv1D + LSTM recipe of Lab 3
    python scripts/seed_study.py deep --seeds 5     # Conv1D(64) + 2 x LSTM(64) + Dense(30, 10), SGD

Each run appends to tscourse/records/seed_study_<recipe>.json (existing seeds are skipped), so it can be resumed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPLIT_TIME = 3000
WINDOW_SIZE = 30

RECIPES = {
    # Lab 3 of week 4: 10 epochs, Adam with a cosine decay from 5e-3, batches of 128.
    "lab3": {"epochs": 10, "batch_size": 128, "optimizer": "adam", "learning_rate": 5e-3},
    # The deeper model and slow SGD schedule of issue 9.
    "deep": {"epochs": 65, "batch_size": 64, "optimizer": "sgd", "learning_rate": 2e-5},
}


def read_sunspots(path: Path = ROOT / "data" / "sunspots.csv") -> np.ndarray:
    """The monthly sunspot numbers of the course's CSV file, as float32."""
    with open(path) as csv_file:
        reader = csv.reader(csv_file)
        next(reader)
        return np.array([float(row[2]) for row in reader], dtype="float32")


def windows(series: np.ndarray, window_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window of `window_size` values (with a feature axis) and the value that follows it."""
    positions = np.arange(len(series) - window_size)[:, None] + np.arange(window_size + 1)
    rows = series[positions]
    return rows[:, :-1, None], rows[:, -1]


def linear_mae(series: np.ndarray) -> float:
    """Validation MAE of the least-squares linear model (with an intercept) over the same window."""
    inputs, targets = windows(series, WINDOW_SIZE)
    design = np.c_[inputs[:, :, 0].astype("float64"), np.ones(len(inputs))]
    num_train = SPLIT_TIME - WINDOW_SIZE
    coefficients, *_ = np.linalg.lstsq(design[:num_train], targets[:num_train], rcond=None)
    return float(np.mean(np.abs(design[num_train:] @ coefficients - targets[num_train:])))


def build(recipe: str) -> tf.keras.Model:
    """The model of a recipe, taking and returning plain sunspot numbers."""
    layers = tf.keras.layers
    if recipe == "lab3":
        return tf.keras.Sequential(
            [
                tf.keras.Input(shape=(WINDOW_SIZE, 1)),
                layers.Rescaling(1 / 100),
                layers.Conv1D(32, kernel_size=3, padding="causal", activation="relu"),
                layers.LSTM(32),
                layers.Dense(16, activation="relu"),
                layers.Dense(1),
                layers.Rescaling(100),
            ]
        )
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(WINDOW_SIZE, 1)),
            layers.Conv1D(64, kernel_size=3, padding="causal", activation="relu"),
            layers.LSTM(64, return_sequences=True),
            layers.LSTM(64),
            layers.Dense(30, activation="relu"),
            layers.Dense(10, activation="relu"),
            layers.Dense(1),
            layers.Rescaling(400),
        ]
    )


def train_once(recipe: str, seed: int, series: np.ndarray) -> dict:
    """Train one model of `recipe` from `seed`; return its validation MAE, parameters and seconds."""
    settings = RECIPES[recipe]
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(seed)
    inputs, targets = windows(series, WINDOW_SIZE)
    num_train = SPLIT_TIME - WINDOW_SIZE
    train = tf.data.Dataset.from_tensor_slices((inputs[:num_train], targets[:num_train]))
    train = train.cache().shuffle(1000).batch(settings["batch_size"]).prefetch(1)
    steps = settings["epochs"] * int(np.ceil(num_train / settings["batch_size"]))
    schedule = tf.keras.optimizers.schedules.CosineDecay(settings["learning_rate"], decay_steps=steps)
    if settings["optimizer"] == "sgd":
        optimizer = tf.keras.optimizers.SGD(learning_rate=schedule, momentum=0.9)
    else:
        optimizer = tf.keras.optimizers.Adam(learning_rate=schedule)
    model = build(recipe)
    model.compile(loss=tf.keras.losses.Huber(), optimizer=optimizer)
    start = time.perf_counter()
    model.fit(train, epochs=settings["epochs"], verbose=0)
    seconds = time.perf_counter() - start
    forecast = model.predict(inputs[num_train:], batch_size=256, verbose=0)[:, 0]
    mae = float(np.mean(np.abs(forecast - targets[num_train:])))
    return {"seed": seed, "mae": mae, "parameters": model.count_params(), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", choices=sorted(RECIPES))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()

    out = ROOT / "tscourse" / "records" / f"seed_study_{args.recipe}.json"  # shipped with the package
    series = read_sunspots()
    record = json.loads(out.read_text()) if out.exists() else {"runs": []}
    record.update(
        recipe=args.recipe,
        settings=RECIPES[args.recipe],
        window_size=WINDOW_SIZE,
        split_time=SPLIT_TIME,
        linear_mae=linear_mae(series),
        cpu_count=os.cpu_count(),
    )
    done = {run["seed"] for run in record["runs"]}
    for seed in range(args.seeds):
        if seed in done:
            continue
        run = train_once(args.recipe, seed, series)
        print(
            f"seed {seed}: MAE {run['mae']:.2f}, {run['parameters']} parameters, {run['seconds']:.0f} s",
            flush=True,
        )
        record["runs"].append(run)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(record, indent=2) + "\n")
    maes = [run["mae"] for run in record["runs"]]
    print(
        f"{args.recipe}: MAE median {np.median(maes):.2f}, range {min(maes):.2f}-{max(maes):.2f}; "
        f"linear {record['linear_mae']:.2f}; beats linear in {sum(m < record['linear_mae'] for m in maes)} "
        f"of {len(maes)} seeds"
    )


if __name__ == "__main__":
    main()
