"""Quoted speech: marks of every kind, quotes spanning sentences and paragraphs, speakers from the text."""
from __future__ import annotations

import pytest

from searchkit.article.quotes import find_quotes


def speakers(*paragraphs: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in find_quotes(list(paragraphs))]


@pytest.mark.parametrize(
    "paragraph, text, speaker",
    [
        ("\u201cThe harbour will reopen on Monday,\u201d said Pieter Janssen.", "The harbour will reopen on Monday", "Pieter Janssen"),
        ('"The harbour will reopen on Monday," Pieter Janssen said.', "The harbour will reopen on Monday", "Pieter Janssen"),
        ("Pieter Janssen told reporters: \u201cWe expect the first ships on Monday.\u201d",
         "We expect the first ships on Monday.", "Pieter Janssen"),
        ("\u201cWe are ready,\u201d Janssen added, speaking at the quay.", "We are ready", "Janssen"),
        ("The port is \u201cready for business again,\u201d according to Lucia Quispe.", "ready for business again",
         "Lucia Quispe"),
        ("Prices will \u201cstay high for months,\u201d according to the Central Statistics Office.",
         "stay high for months", "the Central Statistics Office"),
        ("\u201cThe embargo must end,\u201d Turkish Foreign Minister Mevlut Cavusoglu said on Tuesday.", "The embargo must end",
         "Mevlut Cavusoglu"),
        ("\u201cThe embargo must end,\u201d said Chancellor Olaf Scholz at a press conference.", "The embargo must end",
         "Olaf Scholz"),
        ("\u201cWe will not comment on rumours,\u201d a company spokeswoman said.", "We will not comment on rumours",
         "a company spokeswoman"),
        ("The plan, dubbed \u201ca gift to the banks\u201d by the press, passed.", "a gift to the banks", None),
        ("\u00abNous restons ici\u00bb, said union leader Claire Martin.", "Nous restons ici", "Claire Martin"),
    ],
)
def test_quote_and_speaker(paragraph, text, speaker):
    assert speakers(paragraph) == [(text, speaker)]


def test_quote_spanning_sentences_keeps_all_of_them():
    (q,) = find_quotes(["\u201cWe tried. We failed. We will try again,\u201d said Ana Lopes, the team captain."])
    assert q.text == "We tried. We failed. We will try again" and q.speaker == "Ana Lopes"


def test_quote_spanning_paragraphs_is_one_quote():
    paras = [
        "Nurse Grace Obi described the night. \u201cWe had forty patients and four beds.",
        "\u201cNobody went home until the morning,\u201d she said.",
    ]
    (q,) = find_quotes(paras)
    assert q.text == "We had forty patients and four beds. Nobody went home until the morning"
    assert q.speaker == "Grace Obi" and q.paragraph == 0


def test_unclosed_quote_ends_with_its_paragraph():
    quotes = find_quotes(["\u201cThe plan is dead, said Mark Tull.", "Nobody else spoke at the meeting that day."])
    assert [q.text for q in quotes] == ["The plan is dead, said Mark Tull."]


def test_mismatched_scraped_marks():
    paras = ["\u201cTrade is growing,\u201d said Minister Ivo Petrov,\u201d and we expect more investment next year.\u201d"]
    assert speakers(*paras) == [
        ("Trade is growing", "Ivo Petrov"),
        ("and we expect more investment next year.", "Ivo Petrov"),
    ]
    glued = ["The talks ended late on Friday.\u201dBoth sides agreed to meet again in May.\u201d"]
    assert speakers(*glued) == [("Both sides agreed to meet again in May.", None)]


def test_pronoun_resolves_to_last_named_subject_and_surname_to_full_name():
    paras = [
        "Health Minister Maria Santos opened the clinic on Monday. \u201cThis is for everyone,\u201d Santos said.",
        "The building was designed by Paul Brandt's studio in Porto.",
        "\u201cWe will open ten more by spring,\u201d she said.",
    ]
    assert speakers(*paras) == [
        ("This is for everyone", "Maria Santos"),
        ("We will open ten more by spring", "Maria Santos"),
    ]


def test_following_quote_in_same_paragraph_keeps_speaker():
    paras = ["\u201cWe are not leaving,\u201d said farmer Jonas Berg. \u201cThis land fed my grandfather.\u201d"]
    assert speakers(*paras)[1] == ("This land fed my grandfather.", "Jonas Berg")


def test_no_attribution_gives_none_not_a_guess():
    paras = ["Mayor Lucia Quispe visited the site.", "Signs at the gate read \u201cno entry after dark\u201d for weeks."]
    assert speakers(*paras) == [("no entry after dark", None)]


def test_single_words_and_apostrophes_are_not_quotes():
    assert find_quotes(["The so-called \u201cdeal\u201d collapsed after Moscow\u2019s reversal, officials\u2019 notes show."]) == []


def test_attribution_in_the_next_sentence_after_an_exclamation():
    paras = ["\u201cThe mayor did a wonderful job!\u201d Senator Ruth Banks wrote on Sunday. \u201cVote for her again.\u201d"]
    assert speakers(*paras) == [("The mayor did a wonderful job!", "Ruth Banks"), ("Vote for her again.", "Ruth Banks")]


def test_a_nationality_is_not_a_speaker():
    paras = ["A new poll shows 70 percent of Americans say that \u201cthe law went too far\u201d last year."]
    assert speakers(*paras) == [("the law went too far", None)]


@pytest.mark.parametrize(
    "paragraph, speaker",
    [
        ("Ruth Banks later tweeted that the plan \u201cneeds a public debate\u201d before any vote.", "Ruth Banks"),
        ("Omar Haddad, a senior analyst at Stratfor, the Texas-based consultancy, told reporters the claim was "
         "\u201cplainly absurd.\u201d", "Omar Haddad"),
        ("Colonel Dana Reyes, the base commander, said: \u201cNobody is blocking the road.\u201d", "Dana Reyes"),
        ("A farmer who asked not to be named said the offer was \u201cfar too low.\u201d", "A farmer"),
    ],
)
def test_adverbs_appositives_and_relative_clauses(paragraph, speaker):
    assert [s for _, s in speakers(paragraph)] == [speaker]


def test_titles_of_works_are_not_speech():
    assert find_quotes(["The service streams \u201cThe Long Night\u201d and \u201cHarbour Lights\u201d from Monday."]) == []


def test_pronoun_skips_the_person_being_addressed():
    paras = [
        "\u201cWe built this for you,\u201d Cook said.",
        "\u201cI run my business on my phone,\u201d Benioff said.",
        "\u201cYou keep adding new things,\u201d he told Benioff.",
    ]
    assert [s for _, s in speakers(*paras)] == ["Cook", "Benioff", "Cook"]


def test_possessive_appositive_is_looked_through():
    para = "\u201cWe had some issues,\u201d Mayer, Disney\u2019s chairman of streaming, said Tuesday."
    assert speakers(para) == [("We had some issues", "Mayer")]


@pytest.mark.parametrize(
    "paragraph, speaker",
    [
        ("\u201cIt would be a tragedy,\u201d said the chair of the schools committee, Labour MP Barry Lane.", "Barry Lane"),
        ("Ed Stone, analyst at Energy Partners, added: \u201cPrices are up because of the refinery fire.\u201d", "Ed Stone"),
        ("UK Mining said it was making \u201csignificant progress\u201d with the new pits.", "UK Mining"),
        ("The aim, says BT, is to build \u201ca model for the new century\u201d with artists.", "BT"),
        ("Across the US, the MPAA said it sent operators \u201ctake down notices\u201d this week.", "the MPAA"),
        ("Lord Hale of Richmond, in his ruling, said: \u201cDetention without trial is unlawful.\u201d", "Hale of Richmond"),
        ("\u201cIt was a sign,\u201d said London race director David Bell on Monday.", "David Bell"),
    ],
)
def test_subjects_around_titles_organisations_and_asides(paragraph, speaker):
    assert [s for _, s in speakers(paragraph)] == [speaker]


def test_new_opening_mark_inside_an_open_quote_continues_it():
    para = ('Ms Hart said: "We doubled maternity pay in our first term. "We will extend it to nine months by 2027." '
            "Critics were unconvinced.")
    assert speakers(para) == [
        ("We doubled maternity pay in our first term. We will extend it to nine months by 2027.", "Hart")
    ]


@pytest.mark.parametrize(
    "paragraph, speaker",
    [
        ("Jamie Foxx also praised his director: \u201cTaylor, you are my director of the year.\u201d", "Jamie Foxx"),
        ("\u201cWe had no light bulbs,\u201d recalls engineer Carla Ruiz.", "Carla Ruiz"),
        ("\u201cDoping is a crime,\u201d the 30-year-old told the Sunday Times.", "the 30-year-old"),
        ("A spokesman for the World Summit (WSIS) told reporters: \u201cThe divide is real.\u201d",
         "A spokesman for the World Summit (WSIS)"),
        ("The seller said the year had begun well and \u201cdemand is strong\u201d in Asia.", "The seller"),
    ],
)
def test_colon_present_tense_and_role_subjects(paragraph, speaker):
    assert [s for _, s in speakers(paragraph)] == [speaker]


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        # a scraped closing mark opens the scare quote: it must split the subject like a typographic one does
        ('\u201cWe are ready to talk,\u201d the U.S.\u201dspecial envoy" Zalmay Khalilzad said in Doha.',
         [("We are ready to talk", "Zalmay Khalilzad"), ("special envoy", "Zalmay Khalilzad")]),
        ('"The ceasefire is holding," a spokesman for the U.S.\u201dmission" in Kabul said.',
         [("The ceasefire is holding", "a spokesman for the U.S.")]),
    ],
)
def test_quotation_opened_by_any_mark_splits_the_subject(paragraph, expected):
    assert speakers(paragraph) == expected


def test_mixed_marks_never_leak_the_quotation_into_a_speaker():
    # straight and typographic marks mixed, a short quotation between the quote and the speech verb
    para = ('Mohammad Hanif Atmar told reporters: "The talks will resume in Doha next week." '
            'the U.S.\u201dwithdrawal," the minister said.')
    ((text, speaker),) = speakers(para)
    assert text == "The talks will resume in Doha next week."
    assert speaker in ("Mohammad Hanif Atmar", "the minister")



@pytest.mark.parametrize(
    "paragraph, expected",
    [
        # a stop before a lower-case line is not a sentence split: the subject of "told" still stops there
        ("Foreign Minister Mohammad Hanif Atmar met the envoys in Doha. \u201cWe will not talk to the Taliban,\u201d "
         "the minister said. \na spokesman in Kabul told reporters: \u201cThe talks are over for this year.\u201d",
         [("We will not talk to the Taliban", "the minister"),
          ("The talks are over for this year.", "a spokesman in Kabul")]),
        # list items kept on their own lines: the verb of the line before is not this quote's
        ("- The government should reject the Barker Review, which said 140,000 new homes were needed.\n"
         "- The government should consider a \u201cnational spatial framework\u201d for England.",
         [("national spatial framework", None)]),
        # inverted: the subject after "said" ends at the line break
        ("\u201cThe talks are over for this year,\u201d said the minister\nofficials in Kabul agreed.",
         [("The talks are over for this year", "the minister")]),
    ],
)
def test_speaker_never_crosses_a_sentence_end_or_line_break(paragraph, expected):
    assert speakers(paragraph) == expected


# One fixture per attribution form of issue 13, worded unlike the benchmark pages.
def test_appositive_title_said_then_pronoun_goes_to_the_new_subject():
    paras = [
        "\u201cThe bridge opens in March,\u201d said Tomas Varga, the city engineer.",
        "Ingrid Solberg, chair of the Harbour Trust, said her board had approved the loan. "
        "\u201cWe owe the fishermen a working quay,\u201d she said.",
    ]
    assert speakers(*paras) == [("The bridge opens in March", "Tomas Varga"),
                                ("We owe the fishermen a working quay", "Ingrid Solberg")]


def test_title_name_told_reporters_after_the_quote():
    assert speakers("\u201cWe accepted most of the offer,\u201d union leader Carla Mendes told reporters.") == [
        ("We accepted most of the offer", "Carla Mendes")]


def test_title_name_told_reporters_then_he_said_skips_an_earlier_name():
    paras = [
        "Ana Costa, who runs the ferry company, declined to comment on Friday.",
        "Transport minister Luis Pereira told reporters the licence would be reviewed. "
        "\u201cThis is a matter for the company and its insurers,\u201d he said.",
    ]
    assert speakers(*paras) == [("This is a matter for the company and its insurers", "Luis Pereira")]


def test_name_who_clause_said():
    paras = ["Rosa Lindqvist, who has farmed the valley for forty years, said: \u201cThe river has never been this low.\u201d"]
    assert speakers(*paras) == [("The river has never been this low.", "Rosa Lindqvist")]


def test_attribution_in_the_sentence_after_the_closing_mark():
    paras = ["Prices rose again. \u201cWe cannot keep absorbing the cost!\u201d Milan Horvat wrote on Tuesday."]
    assert speakers(*paras) == [("We cannot keep absorbing the cost!", "Milan Horvat")]
    report = ["Dr Eva Brandt said: \u201cThe trial is over.\u201d She said the results would be published in May."]
    assert speakers(*report) == [("The trial is over.", "Eva Brandt")]  # the next sentence is a new report


def test_quote_spanning_paragraphs_and_quote_paragraph_after_an_attributed_one():
    paras = [
        "\u201cWe built the first kiln in 1982,\u201d said potter Hana Mori. \u201cNobody believed in it.",
        "\u201cNow there are six of us.\u201d",
        "\u201cThe clay comes from the same hill,\u201d she said.",
        "\u201cIt always has.\u201d",
    ]
    got = speakers(*paras)
    assert got[1] == ("Nobody believed in it. Now there are six of us.", "Hana Mori")
    assert got[2:] == [("The clay comes from the same hill", "Hana Mori"), ("It always has.", "Hana Mori")]


def test_she_said_after_a_reported_sentence_skips_a_man_named_in_it():
    paras = ["Ms Okafor said she had warned Mr Lindgren twice. \u201cThe ledger never added up,\u201d she said."]
    assert speakers(*paras) == [("The ledger never added up", "Okafor")]


def test_two_people_as_subject_leave_he_said_undecided():
    paras = ["Piet Kramer, the coach, and Joris Smit, the captain, met the press after the match.",
             "\u201cWe were not good enough today,\u201d he said."]
    assert speakers(*paras) == [("We were not good enough today", None)]


def test_possessive_is_not_the_subject_and_a_nickname_is_not_speech():
    paras = ["Chef Lena Ortiz opened the bistro in June. Marco Bellini's review was harsh.",
             "\u201cI read it twice and laughed,\u201d she said. The critics call the street \u201cRestaurant Row.\u201d"]
    assert speakers(*paras) == [("I read it twice and laughed", "Lena Ortiz")]


def test_name_with_an_unpunctuated_role_before_said():
    paras = ["The board said the plan was sound. \u201cThe well needs one more test before we commit,\u201d "
             "Dr Ruth Amadi head of drilling said."]
    assert speakers(*paras) == [("The well needs one more test before we commit", "Ruth Amadi")]
