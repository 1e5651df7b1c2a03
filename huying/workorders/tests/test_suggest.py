from __future__ import annotations

from pathlib import Path
from typing import Any

from huying.workorders.classifier import CategoryModel
from huying.workorders.suggest import suggest_category


def test_keyword_rules_without_a_model(db: None) -> None:
    suggestions = suggest_category("楼下广场舞音响太吵，晚上十点还在跳")
    assert suggestions[0][0].name == "社会生活噪音"
    assert all(0 < confidence < 1 for _, confidence in suggestions)
    assert suggest_category("") == []
    assert suggest_category("今天天气不错") == []


def test_trained_model_maps_labels_to_categories(db: None, settings: Any, tmp_path: Path) -> None:
    texts = ["公司拖欠工资三个月", "老板欠薪不发工资", "工地拖欠农民工工资", "欠我两个月工资"] * 3 + [
        "小区垃圾没人清运",
        "垃圾桶满了没人管",
        "路边垃圾堆积发臭",
        "垃圾清运不及时",
    ] * 3
    labels = ["劳动和社会保障"] * 12 + ["环境卫生"] * 12
    path = tmp_path / "model.joblib"
    CategoryModel.train(texts, labels).save(path)
    settings.WORKORDERS_CATEGORY_MODEL = str(path)
    suggestions = suggest_category("单位拖欠工资")
    assert suggestions[0][0].name == "劳动保障" and suggestions[0][0].level == 1
    assert {c.name for c, _ in suggestions} == {"劳动保障", "环境卫生"}
